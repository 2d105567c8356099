"""The supervisors' ticket board (`/tickets/board`): the page (on the desk's base page:
sign-in, language switch), its static files (`/static/tickets/`, also used by the
wallboard's SLA tiles) and `GET /api/tickets/sla-summary`. One call in the app mounts it."""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web

import callcenter.tickets.board as board
from agents.desk import PAGE_LANGUAGES, page_language
from callcenter.core.clock import Clock
from callcenter.storage.tickets_summary import SqlSlaCounter
from callcenter.tickets.board.http import BOARD_ROLES, SlaSummaryHttp
from callcenter.tickets.models import TicketStatus, TicketType
from callcenter.web.keys import ENGINE, SETTINGS

HERE = Path(board.__file__).parent
PAGE_SIZE = 20


class TicketBoardPage:
    """The page, rendered with its bootstrap JSON."""

    def __init__(self, timezone: str) -> None:
        self._timezone = timezone
        self._pages = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(HERE / "templates"), jinja2.PackageLoader("agents")]
            ),
            autoescape=jinja2.select_autoescape(default=True),
        )

    async def page(self, request: web.Request) -> web.Response:
        """The board page; its bootstrap JSON carries the roles it is for, the statuses and
        types of the filters and the page size."""
        bootstrap = {
            "timezone": self._timezone,
            "languages": list(PAGE_LANGUAGES),
            "language": page_language(request.headers.get("Accept-Language", "")),
            "roles": sorted(r.value for r in BOARD_ROLES),
            "statuses": [s.value for s in TicketStatus],
            "types": [t.value for t in TicketType],
            "page_size": PAGE_SIZE,
        }
        html = self._pages.get_template("ticket_board.html").render(bootstrap=bootstrap)
        return web.Response(text=html, content_type="text/html")


def setup_ticket_board(app: web.Application, clock: Clock) -> None:
    """Mount the page, its files and the summary route."""
    page = TicketBoardPage(app[SETTINGS].server.timezone)
    app.router.add_get("/tickets/board", page.page)
    app.router.add_static("/static/tickets/", HERE / "static")
    SlaSummaryHttp(SqlSlaCounter(app[ENGINE]), clock).setup(app)
