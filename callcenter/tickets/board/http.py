"""`GET /api/tickets/sla-summary`: open tickets counted per SLA level, overdue and
escalated, in all and per team (supervisors and admins)."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from callcenter.core.api import Role, endpoint
from callcenter.core.clock import Clock
from callcenter.httpkit import respond
from callcenter.tickets.board.models import SlaFigures, summarise
from callcenter.tickets.board.ports import SlaCounter
from callcenter.tickets.board.schemas import SlaFiguresOut, SlaSummaryOut, TeamFiguresOut

BOARD_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
SUMMARY_PATH = "/api/tickets/sla-summary"


def _figures(figures: SlaFigures) -> dict[str, object]:
    return SlaFiguresOut.model_validate(asdict(figures)).model_dump()


class SlaSummaryHttp:
    """The summary route."""

    def __init__(self, counter: SlaCounter, clock: Clock) -> None:
        self._counter = counter
        self._clock = clock

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_get(SUMMARY_PATH, self.summary)

    @endpoint(
        "Open tickets counted per SLA level (ok, warn70, warn80, warn90, breached), warned, "
        "overdue and escalated, in all and per assignee team, at the server's time `at`",
        roles=BOARD_ROLES,
        response=SlaSummaryOut,
        tag="tickets",
    )
    async def summary(self, request: web.Request) -> web.Response:
        now = self._clock.now()
        found = summarise(await self._counter.counts(now), now)
        teams = [
            TeamFiguresOut.model_validate(_figures(t.figures) | {"team": t.team})
            for t in found.teams
        ]
        out = SlaSummaryOut.model_validate(_figures(found.total) | {"at": found.at, "teams": teams})
        return respond(out)
