"""`GET /api/tickets/taxonomy`: the policy pack's work-order types with their sub-types (and
the complaint severities), in both languages, for the desk's ticket form."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from callcenter.core.api import endpoint
from callcenter.core.ticket_rules import Term, TicketRules
from callcenter.httpkit import respond


class TermOut(BaseModel):
    """A code with its Chinese and English names."""

    code: str
    name_zh: str
    name_en: str


class TicketKindOut(TermOut):
    """A work-order type and its sub-types (a complaint's: its classes)."""

    subtypes: list[TermOut]


class TaxonomyOut(BaseModel):
    """The taxonomy in force."""

    types: list[TicketKindOut]
    complaint_severities: list[TermOut]


def _term(term: Term) -> TermOut:
    return TermOut(code=term.code, name_zh=term.name_zh, name_en=term.name_en)


def taxonomy_out(rules: TicketRules) -> TaxonomyOut:
    """The API's view of the pack's ticket taxonomy."""
    kinds = [
        TicketKindOut(**_term(k.term).model_dump(), subtypes=[_term(s) for s in k.subtypes])
        for k in rules.kinds
    ]
    return TaxonomyOut(
        types=kinds, complaint_severities=[_term(s) for s in rules.complaint_severities]
    )


class TaxonomyHttp:
    """The taxonomy route (read only)."""

    def __init__(self, rules: TicketRules) -> None:
        self._out = taxonomy_out(rules)

    def setup(self, app: web.Application) -> None:
        """Mount the route (before `/api/tickets/{ticket_id}` takes the name)."""
        app.router.add_get("/api/tickets/taxonomy", self.taxonomy)

    @endpoint(
        "The work-order types and sub-types of the policy pack in force (zh-CN and en-US "
        "names), for ticket forms",
        response=TaxonomyOut,
        tag="tickets",
    )
    async def taxonomy(self, request: web.Request) -> web.Response:
        return respond(self._out)
