"""The agent desk and the wallboard: pages (Jinja2, autoescaped) and the desk's WebSocket.

Each page carries a bootstrap JSON: the server's time zone (`server.timezone`; the browser
shows every time in it) and the page languages, with the one the browser asks for first
(`Accept-Language`) as the default until the agent's own language is known.

A desk opens `/desk/ws` and sends `{"type": "auth", "token": ...}` first; it then gets its
state (and the current offer or call with its screen-pop) and every change pushed, until its
token is revoked or expires or the agent is disabled: the socket is then closed (4401, 4403,
the reason in the close frame; `SocketGuard`). Messages for an agent are published through
Redis; each instance delivers them to the sockets it holds, so the agent's socket may live on
any instance. Actions go through the REST API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web

from agents.access import enabled_agent
from agents.center import Acd
from callcenter.core.api import Principal, Role
from callcenter.core.errors import CallcenterError, ForbiddenError, UnauthorizedError
from callcenter.core.socket_guard import SocketGuard
from callcenter.httpkit import dumps

log = logging.getLogger(__name__)
AUTH_TIMEOUT_SECONDS = 10
HEARTBEAT_SECONDS = 20
PAGE_LANGUAGES = ("zh-CN", "en-US")  # the first is the default; agents/static/i18n.js has each

DESK_ROLES = frozenset({Role.AGENT})

Check = Callable[[str], Awaitable[Principal]]  # raises UnauthorizedError


def _quality(params: str) -> float:
    """The `q` of one Accept-Language entry (1 when absent, 0 when unreadable)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def page_language(accept_language: str) -> str:
    """The page language the browser accepts best (by `q`, then order; `en-GB` counts for
    `en-US`), else the first page language."""
    by_primary = {lang.split("-")[0].lower(): lang for lang in PAGE_LANGUAGES}
    entries = [part.partition(";") for part in accept_language.split(",")]
    ranked = sorted(
        (-_quality(params), index, tag.strip().split("-")[0].lower())
        for index, (tag, _, params) in enumerate(entries)
    )
    for negative_q, _, primary in ranked:
        if negative_q < 0 and primary in by_primary:
            return by_primary[primary]
    return PAGE_LANGUAGES[0]


class DeskHub:
    """The desk sockets this instance holds, by agent."""

    def __init__(self, acd: Acd, check: Check, guard: SocketGuard, *, timezone: str) -> None:
        self._acd = acd
        self._check = check
        self._guard = guard
        self._timezone = timezone
        self._sockets: dict[int, set[web.WebSocketResponse]] = {}

    def setup(self, app: web.Application) -> None:
        """Mount the pages and the socket."""
        app.router.add_get("/desk", self.desk_page)
        app.router.add_get("/wallboard", self.wallboard_page)
        app.router.add_get("/desk/ws", self.socket)

    def _bootstrap(self, request: web.Request) -> dict[str, Any]:
        return {
            "timezone": self._timezone,
            "languages": list(PAGE_LANGUAGES),
            "language": page_language(request.headers.get("Accept-Language", "")),
        }

    async def desk_page(self, request: web.Request) -> web.Response:
        context = {"queues": self._acd.queues, "bootstrap": self._bootstrap(request)}
        return aiohttp_jinja2.render_template("desk.html", request, context)

    async def wallboard_page(self, request: web.Request) -> web.Response:
        context = {"bootstrap": self._bootstrap(request)}
        return aiohttp_jinja2.render_template("wallboard.html", request, context)

    async def deliver(self, agent_id: int, message: Mapping[str, Any]) -> None:
        """Send a message to the agent's sockets held here (from the pub/sub feed)."""
        await self.deliver_text(agent_id, dumps(message))

    async def deliver_text(self, agent_id: int, text: str) -> None:
        """Send an encoded message to the agent's sockets held here."""
        for ws in list(self._sockets.get(agent_id, ())):
            try:
                await ws.send_str(text)
            except (ConnectionError, RuntimeError):
                self._sockets.get(agent_id, set()).discard(ws)

    async def resync(self) -> None:
        """Send each desk held here its state afresh (the feed was away: messages published
        meanwhile never arrived). The state store failing again propagates: the feed then
        subscribes and resyncs once more."""
        for agent_id in list(self._sockets):
            try:
                text = dumps(await self._acd.desk_state(agent_id))
            except CallcenterError as err:  # e.g. the agent was removed meanwhile
                log.warning("desk of agent %s not resynced: %s", agent_id, err.message)
                continue
            await self.deliver_text(agent_id, text)

    async def heartbeat(self) -> None:
        """Mark every desk held here as alive (the reconciler trusts recent heartbeats)."""
        for agent_id in list(self._sockets):
            await self._acd.desk_connected(agent_id)

    async def close_all(self) -> None:
        """Close every socket (shutdown)."""
        for sockets in list(self._sockets.values()):
            for ws in list(sockets):
                await ws.close()

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
        await ws.prepare(request)
        principal = await self._identify(ws)
        if principal is None or principal.user_id is None:
            return ws
        agent_id = principal.user_id
        self._sockets.setdefault(agent_id, set()).add(ws)
        self._guard.hold(ws, principal, DESK_ROLES)  # closed when the token no longer may
        try:
            await self._acd.desk_connected(agent_id)
            await ws.send_str(dumps(await self._acd.desk_state(agent_id)))
            async for msg in ws:
                if msg.type is WSMsgType.TEXT and msg.data == '{"type":"ping"}':
                    await self._acd.desk_connected(agent_id)
                    await ws.send_str('{"type":"pong"}')
        finally:
            self._guard.release(ws)
            sockets = self._sockets.get(agent_id, set())
            sockets.discard(ws)
            if not sockets:
                self._sockets.pop(agent_id, None)
                await self._acd.desk_closed(agent_id)
        return ws

    async def _identify(self, ws: web.WebSocketResponse) -> Principal | None:
        try:
            msg = await ws.receive(timeout=AUTH_TIMEOUT_SECONDS)
            data = json.loads(msg.data) if msg.type is WSMsgType.TEXT else {}
        except (TimeoutError, json.JSONDecodeError, TypeError):
            data = {}
        token = str(data.get("token", "")) if isinstance(data, dict) else ""
        try:
            if not token:
                raise UnauthorizedError('send {"type": "auth", "token": ...} first')
            principal = await self._check(token)  # unauthorized, token-expired, account-disabled
            if principal.user_id is None:
                raise UnauthorizedError("the desk needs a user's token")
            if principal.role not in DESK_ROLES:
                raise ForbiddenError("the desk is for agents")
            enabled_agent(self._acd, principal)
        except CallcenterError as problem:
            message = {"code": problem.code, "status": problem.status, "message": problem.message}
            await ws.send_str(dumps({"type": "error", **message}))
            await ws.close(code=4000 + problem.status)  # 4401, 4403, 4409
            return None
        return principal
