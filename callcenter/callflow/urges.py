"""催办 wiring (composition level): the pack's priority boost for urging callers, and the
desk ticket form's taxonomy route."""

from __future__ import annotations

from aiohttp import web

from callcenter.callflow.ivr import IvrServicesAdapter
from callcenter.core.policy import PolicyPack
from callcenter.tickets.taxonomy_http import TaxonomyHttp


def setup_urges(app: web.Application, services: IvrServicesAdapter, pack: PolicyPack) -> None:
    """Urging callers rise `pack.urge_priority_boost` bands; `GET /api/tickets/taxonomy`."""
    services.urge_priority_boost = pack.urge_priority_boost
    TaxonomyHttp(pack.tickets).setup(app)
