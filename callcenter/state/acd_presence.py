"""Agents' presence in Redis: one hash per agent (state, reason, since, call), the ready
hash and its log that routers follow, and the set of agents logged in, which the queues
count for what a waiting caller hears (one command, not one read per member: issue 17)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import redis.asyncio as aioredis

from agents.models import AgentState, Presence
from callcenter.state import acd_scripts as lua
from callcenter.state.acd_calls import text_of
from callcenter.state.keys import Keys


class RedisPresenceState:
    """The presence part of `agents.ports.AcdState`."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys
        self._set_state = client.register_script(lua.SET_STATE)
        self._logged_in_sync = client.register_script(lua.LOGGED_IN_SYNC)

    async def set_ready(self, agent_id: int, idle_since_ms: int) -> None:
        await self.set_presence(
            agent_id, tuple(AgentState), Presence(AgentState.READY, idle_since_ms)
        )

    async def set_presence(
        self,
        agent_id: int,
        allowed: Iterable[AgentState],
        new: Presence,
        wrap_up_until_ms: int | None = None,
        *,
        call_id: str | None = None,
    ) -> tuple[bool, Presence]:
        k = self._keys
        applied, state, call, since, reason = await self._set_state(
            keys=[
                k.acd_agent(agent_id),
                k.acd_ready(),
                k.acd_wrapups(),
                k.acd_ready_log(),
                k.acd_logged_in(),
            ],
            args=[
                agent_id,
                ",".join(allowed),
                new.state.value,
                new.reason or "",
                new.since_ms,
                new.call_id or "",
                "" if wrap_up_until_ms is None else wrap_up_until_ms,
                call_id or "",
            ],
        )
        previous = Presence(
            AgentState(text_of(state)),
            int(since or 0),
            text_of(reason) or None,
            text_of(call) or None,
        )
        return bool(int(applied)), previous

    async def presences(self, agent_ids: Sequence[int]) -> dict[int, Presence]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for agent_id in agent_ids:
                pipe.hmget(self._keys.acd_agent(agent_id), ["state", "since", "reason", "call"])
            rows = await pipe.execute()
        found = {}
        for agent_id, (state, since, reason, call) in zip(agent_ids, rows, strict=True):
            found[agent_id] = Presence(
                AgentState(text_of(state)) if state else AgentState.LOGGED_OUT,
                int(since or 0),
                text_of(reason or b"") or None,
                text_of(call or b"") or None,
            )
        return found

    async def logged_in(self, agent_ids: Sequence[int]) -> int:
        if not agent_ids:
            return 0
        found: list[Any] = await self._redis.smismember(self._keys.acd_logged_in(), list(agent_ids))
        return sum(map(int, found))

    async def sync_logged_in(self, agent_ids: Sequence[int]) -> None:
        if not agent_ids:
            return
        k = self._keys
        await self._logged_in_sync(
            keys=[k.acd_logged_in(), *map(k.acd_agent, agent_ids)], args=list(agent_ids)
        )

    async def desk_seen(self, agent_id: int, now_ms: int) -> None:
        await self._redis.zadd(self._keys.acd_desks(), {str(agent_id): now_ms})

    async def desk_gone(self, agent_id: int, now_ms: int) -> None:
        await self._redis.zadd(self._keys.acd_desks(), {str(agent_id): -now_ms})

    async def desks(self) -> dict[int, int]:
        found: list[Any] = await self._redis.zrange(self._keys.acd_desks(), 0, -1, withscores=True)
        return {int(a): int(seen) for a, seen in found}
