"""The authenticated WebSockets of one instance (desk and console), re-checked against their
tokens: on an 'auth changed' notice from any instance, and periodically (so expiry closes
them too). A socket whose token no longer grants the roles it was opened for is closed with
the refusal's code (4401, 4403) and reason."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from callcenter.core.api import Principal, Role
from callcenter.core.clock import Clock
from callcenter.core.grants import Grant, Refusal

log = logging.getLogger(__name__)

Grants = Callable[[Collection[int]], Awaitable[Mapping[int, Grant]]]


class Closable(Protocol):
    """A socket that can be closed with a code and a reason (aiohttp's WebSocketResponse)."""

    async def close(self, *, code: int = ..., message: bytes = ...) -> bool: ...


@dataclass(frozen=True, slots=True)
class Held:
    """Who a socket was opened for (with which token) and the roles it needs."""

    token_id: int
    principal: Principal
    roles: frozenset[Role]


class SocketGuard:
    """Holds sockets with their principals; `recheck` closes those refused now."""

    def __init__(self, grants: Grants, clock: Clock) -> None:
        self._grants = grants
        self._clock = clock
        self._held: dict[Closable, Held] = {}

    def hold(self, ws: Closable, principal: Principal, roles: frozenset[Role]) -> None:
        """Watch `ws`, opened by `principal` for `roles` (a token-less principal is not)."""
        if principal.token_id is not None:
            self._held[ws] = Held(principal.token_id, principal, roles)

    def release(self, ws: Closable) -> None:
        """Stop watching `ws` (it closed)."""
        self._held.pop(ws, None)

    async def recheck(self) -> int:
        """Close every socket whose token no longer grants what it was opened for; how many
        were closed. One query for all the tokens held here."""
        held = dict(self._held)
        if not held:
            return 0
        grants = await self._grants({h.token_id for h in held.values()})
        now = self._clock.now()
        closing: list[tuple[Closable, Refusal]] = []
        for ws, h in held.items():
            grant = grants.get(h.token_id)
            refusal = Refusal.REVOKED if grant is None else grant.refusal(now, h.roles)
            if refusal is not None:
                closing.append((ws, refusal))
        for ws, refusal in closing:
            self.release(ws)
            log.info("socket of %s closed: %s", held[ws].principal.name, refusal.value)
        await asyncio.gather(
            *(ws.close(code=r.close_code, message=r.value.encode()) for ws, r in closing),
            return_exceptions=True,
        )
        return len(closing)
