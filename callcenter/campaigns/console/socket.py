"""The console's WebSocket (`/ops/ws`): it sends `{"type": "auth", "token": ...}` first (an
operator, supervisor or administrator), then gets every `campaign_progress` message
published on the console's Redis channel, whichever instance published it."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import WSMsgType, web

from callcenter.core.api import STAFF_ROLES, Principal
from callcenter.core.errors import CallcenterError, ForbiddenError, UnauthorizedError
from callcenter.core.socket_guard import SocketGuard
from callcenter.httpkit import dumps
from callcenter.state.relay import RedisRelay

log = logging.getLogger(__name__)
AUTH_TIMEOUT_SECONDS = 10
HEARTBEAT_SECONDS = 20

Check = Callable[[str], Awaitable[Principal]]  # raises UnauthorizedError


class ConsoleHub:
    """The console sockets this instance holds."""

    def __init__(self, check: Check, guard: SocketGuard) -> None:
        self._check = check
        self._guard = guard
        self._sockets: set[web.WebSocketResponse] = set()

    async def deliver(self, message: Mapping[str, Any]) -> None:
        """Send a published message to every console socket held here."""
        text = dumps(message)
        for ws in list(self._sockets):
            try:
                await ws.send_str(text)
            except (ConnectionError, RuntimeError):
                self._sockets.discard(ws)

    async def feed(self, relay: RedisRelay) -> None:
        """Deliver what is published on the console channel until cancelled."""
        await relay.follow("console feed", self.deliver)

    async def close_all(self) -> None:
        """Close every socket (shutdown)."""
        for ws in list(self._sockets):
            await ws.close()

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """`/ops/ws`: authenticate, then hold the socket until the browser closes it (or its
        token no longer may: revoked, expired, disabled, role changed)."""
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
        await ws.prepare(request)
        principal = await self._identify(ws)
        if principal is None:
            return ws
        self._sockets.add(ws)
        self._guard.hold(ws, principal, STAFF_ROLES)
        try:
            await ws.send_str(dumps({"type": "ready"}))
            async for msg in ws:
                if msg.type is WSMsgType.TEXT and msg.data == '{"type":"ping"}':
                    await ws.send_str('{"type":"pong"}')
        finally:
            self._guard.release(ws)
            self._sockets.discard(ws)
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
            if principal.role not in STAFF_ROLES:
                raise ForbiddenError("the console is for operators, supervisors and admins")
        except CallcenterError as problem:
            message = {"code": problem.code, "status": problem.status, "message": problem.message}
            await ws.send_str(dumps({"type": "error", **message}))
            await ws.close(code=4000 + problem.status)  # 4401, 4403
            return None
        return principal
