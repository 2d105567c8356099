"""`RedisRoutingState`: queues, ready agents and offers in Redis; claims are Lua scripts, so
an agent and a call are taken together or not at all, whichever instance routes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import redis.asyncio as aioredis

from agents.models import Assignment, Priority, RoutedCall, WaitingCall
from agents.ports import ClaimResult, QueueNow, SeenWaiting, Snapshot
from callcenter.state import acd_scripts as lua
from callcenter.state.acd_calls import compact, decode_call, encode_call, score_of, text_of
from callcenter.state.acd_presence import RedisPresenceState
from callcenter.state.acd_scripts import BAND
from callcenter.state.keys import Keys

STATS_TTL_SECONDS = 3 * 86_400
READ_LOG_BATCH = 10_000  # more changes than this since the last round: read the hash again
_CLAIMED = {1: ClaimResult.CLAIMED, 0: ClaimResult.AGENT_NOT_READY, -1: ClaimResult.CALL_GONE}


def _stream_id(value: bytes | str) -> tuple[int, int]:
    ms, _, seq = text_of(value).partition("-")
    return int(ms), int(seq or 0)


class RedisRoutingState(RedisPresenceState):
    """Implements `agents.ports.AcdState` (presence in `RedisPresenceState`)."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        super().__init__(client, keys)
        self._claim = client.register_script(lua.CLAIM)
        self._snapshot = client.register_script(lua.SNAPSHOT)
        self._requeue = client.register_script(lua.REQUEUE)
        self._abandon = client.register_script(lua.ABANDON)
        self._accept = client.register_script(lua.ACCEPT)
        self._ready_load = client.register_script(lua.READY_LOAD)
        self._restart_offer = client.register_script(lua.RESTART_OFFER)
        self._overdue = client.register_script(lua.OVERDUE_WAITS)
        self._move = client.register_script(lua.MOVE_CALL)
        # This instance's view of the ready agents, kept current from the ready log.
        self._ready: dict[int, int] = {}
        self._ready_at: str | None = None

    async def enqueue(self, call: WaitingCall, routed: RoutedCall | None = None) -> None:
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            if routed is not None:
                pipe.hset(k.acd_meta(), call.call_id, compact(routed.to_json()))
            pipe.hsetnx(k.acd_calls(), call.call_id, encode_call(call))
            pipe.zadd(k.acd_queue(call.queue), {call.call_id: score_of(call)}, nx=True)
            await pipe.execute()

    async def snapshot(self, queues: Sequence[str], limit: int) -> Snapshot:
        k = self._keys
        changed: set[int] | None = set()
        at = self._ready_at
        if at is None:
            at = await self._load_ready()
            changed = None
        changes, oldest, *heads = await self._snapshot(
            keys=[k.acd_calls(), k.acd_ready_log(), *map(k.acd_queue, queues)],
            args=[limit, at, READ_LOG_BATCH],
        )
        if not self._apply_ready_log(changes, oldest, changed):
            await self._load_ready()  # the log was trimmed past our place, or is far ahead
            changed = None
        calls = [decode_call(raw) for head in heads for raw in head if raw is not None]
        return Snapshot(
            MappingProxyType(self._ready),
            None if changed is None else frozenset(changed),
            calls,
        )

    async def _load_ready(self) -> str:
        k = self._keys
        last, flat = await self._ready_load(keys=[k.acd_ready(), k.acd_ready_log()])
        self._ready = {int(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}
        self._ready_at = text_of(last)
        return self._ready_at

    def _apply_ready_log(
        self, changes: list[Any], oldest: list[Any], changed: set[int] | None
    ) -> bool:
        """Apply the log entries after our place, noting the agents in `changed`; False when
        entries may be missing."""
        assert self._ready_at is not None
        if (
            len(changes) >= READ_LOG_BATCH
            or not oldest  # the log is gone (Redis restarted, keys deleted)
            or _stream_id(oldest[0][0]) > _stream_id(self._ready_at)  # trimmed past us
        ):
            return False
        for entry_id, (_, agent, _, since) in changes:
            self._ready_at = text_of(entry_id)
            if not agent:
                continue
            agent_id = int(agent)
            if since:
                self._ready[agent_id] = int(since)
            else:
                self._ready.pop(agent_id, None)
            if changed is not None:
                changed.add(agent_id)
        return True

    async def claim(
        self, assignments: Sequence[Assignment], now_ms: int, offer_ms: int
    ) -> list[ClaimResult]:
        if not assignments:
            return []
        k = self._keys
        keys = [k.acd_ready(), k.acd_offers(), k.acd_offered(), k.acd_ready_log()]
        args: list[int | str] = [now_ms, now_ms + offer_ms]
        for a in assignments:
            keys += (k.acd_queue(a.queue), k.acd_agent(a.agent_id))
            args += (a.agent_id, a.call_id)
        results = await self._claim(keys=keys, args=args)
        return [_CLAIMED[int(r)] for r in results]

    async def expired_offers(self, now_ms: int) -> list[tuple[str, int]]:
        k = self._keys
        found = await self._redis.zrangebyscore(k.acd_offers(), "-inf", now_ms)
        ids = [text_of(cid) for cid in found]
        if not ids:
            return []
        agents = await self._redis.hmget(k.acd_offered(), ids)
        return [(cid, int(agent)) for cid, agent in zip(ids, agents, strict=True) if agent]

    async def requeue_at_head(
        self, call_id: str, agent_id: int, now_ms: int, *, due_only: bool = False
    ) -> bool:
        k = self._keys
        raw = await self._redis.hget(k.acd_calls(), call_id)
        if raw is None:
            return False
        call = decode_call(raw)
        done = await self._requeue(
            keys=[k.acd_offers(), k.acd_offered(), k.acd_queue(call.queue), k.acd_agent(agent_id)],
            args=[
                call_id,
                agent_id,
                int(call.priority) * BAND,
                score_of(call),
                now_ms,
                now_ms if due_only else "",
            ],
        )
        return bool(done)

    async def restart_offer(self, call_id: str, agent_id: int, deadline_ms: int) -> bool:
        k = self._keys
        done = await self._restart_offer(
            keys=[k.acd_offers(), k.acd_offered()], args=[call_id, agent_id, deadline_ms]
        )
        return bool(done)

    async def overdue_waits(self, cutoffs: Mapping[str, int], limit: int) -> list[WaitingCall]:
        k = self._keys
        if not cutoffs:
            return []
        found = await self._overdue(
            keys=[k.acd_max_wait(), *map(k.acd_queue, cutoffs)],
            args=[limit, BAND, len(Priority), *cutoffs.values()],
        )
        if not found:
            return []
        raws = await self._redis.hmget(k.acd_calls(), found)
        return [decode_call(raw) for raw in raws if raw is not None]

    async def mark_max_wait(self, call_id: str, outcome: str) -> bool:
        return bool(await self._redis.hsetnx(self._keys.acd_max_wait(), call_id, outcome))

    async def move_call(self, call: WaitingCall, from_queue: str) -> bool:
        k = self._keys
        done = await self._move(
            keys=[k.acd_calls(), k.acd_queue(from_queue), k.acd_queue(call.queue)],
            args=[call.call_id, encode_call(call), score_of(call)],
        )
        return bool(done)

    async def abandon(
        self, call_id: str, now_ms: int, seen: SeenWaiting | None = None
    ) -> int | None:
        k = self._keys
        for _ in range(5):  # the offer can move between the read and the script: read again
            if seen is not None:
                queue, agent, seen = seen.queue, seen.offered_to, None
            else:
                raw, offered = await asyncio.gather(
                    self._redis.hget(k.acd_calls(), call_id),
                    self._redis.hget(k.acd_offered(), call_id),
                )
                queue = decode_call(raw).queue if raw is not None else ""
                agent = int(offered) if offered else None
            result = await self._abandon(
                keys=[
                    k.acd_calls(),
                    k.acd_queue(queue),
                    k.acd_offers(),
                    k.acd_offered(),
                    k.acd_agent(agent or 0),
                    k.acd_ready(),
                    k.acd_ready_log(),
                ],
                args=[call_id, agent if agent is not None else "", now_ms],
            )
            if int(result) >= 0:
                return agent if int(result) == 1 else None
        return None

    async def accept(self, call_id: str, agent_id: int, now_ms: int) -> bool:
        k = self._keys
        done = await self._accept(
            keys=[
                k.acd_offers(),
                k.acd_offered(),
                k.acd_agent(agent_id),
                k.acd_calls(),
                k.acd_max_wait(),
            ],
            args=[call_id, agent_id, now_ms],
        )
        return int(done) > 0

    async def offered_to(self, call_id: str) -> int | None:
        agent = await self._redis.hget(self._keys.acd_offered(), call_id)
        return int(agent) if agent else None

    async def waiting_call(self, call_id: str) -> WaitingCall | None:
        raw = await self._redis.hget(self._keys.acd_calls(), call_id)
        return decode_call(raw) if raw is not None else None

    async def position(self, call_id: str, queue: str) -> int | None:
        rank: Any = await self._redis.zrank(self._keys.acd_queue(queue), call_id)
        return None if rank is None else int(rank) + 1

    async def routed_calls(self) -> list[str]:
        return [text_of(cid) for cid in await self._redis.hkeys(self._keys.acd_calls())]

    async def wrap_ups_due(self, now_ms: int) -> list[int]:
        found: list[Any] = await self._redis.zrangebyscore(self._keys.acd_wrapups(), "-inf", now_ms)
        return [int(agent) for agent in found]

    async def put_call_data(
        self,
        call_id: str,
        call: RoutedCall | None = None,
        pop: Mapping[str, Any] | None = None,
    ) -> None:
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            if call is not None:
                pipe.hset(k.acd_meta(), call_id, compact(call.to_json()))
            if pop is not None:
                pipe.hset(k.acd_pops(), call_id, compact(pop))
            await pipe.execute()

    async def call_data(self, call_id: str) -> tuple[RoutedCall | None, dict[str, Any] | None]:
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hget(k.acd_meta(), call_id)
            pipe.hget(k.acd_pops(), call_id)
            meta, pop = await pipe.execute()
        routed = RoutedCall.from_json(json.loads(meta)) if meta else None
        return routed, (json.loads(pop) if pop else None)

    async def waiting_count(self, queue: str) -> int:
        return int(await self._redis.zcard(self._keys.acd_queue(queue)))

    async def forget_call(self, call_id: str) -> None:
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hdel(k.acd_meta(), call_id)
            pipe.hdel(k.acd_pops(), call_id)
            pipe.hdel(k.acd_max_wait(), call_id)
            await pipe.execute()

    async def count(self, queue: str, day: str, increments: Mapping[str, int]) -> None:
        key = self._keys.acd_stats(queue, day)
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, amount in increments.items():
                pipe.hincrby(key, name, amount)
            pipe.expire(key, STATS_TTL_SECONDS)
            await pipe.execute()

    async def queues_now(self, queues: Sequence[str], day: str) -> dict[str, QueueNow]:
        k = self._keys
        bands = [int(p) * BAND for p in Priority]
        async with self._redis.pipeline(transaction=False) as pipe:
            for queue in queues:
                pipe.zcard(k.acd_queue(queue))
                for band in bands:
                    pipe.zrangebyscore(
                        k.acd_queue(queue), band, band + BAND - 1, start=0, num=1, withscores=True
                    )
                pipe.hgetall(k.acd_stats(queue, day))
            rows = await pipe.execute()
        found = {}
        width = len(bands) + 2
        for n, queue in enumerate(queues):
            waiting, *heads, counters = rows[n * width : (n + 1) * width]
            oldest = [
                int(score) - band
                for head, band in zip(heads, bands, strict=True)
                for _, score in head
            ]
            found[queue] = QueueNow(
                int(waiting),
                min(oldest) if oldest else None,
                {text_of(name): int(value) for name, value in counters.items()},
            )
        return found

    async def publish(self, agent_id: int, message: Mapping[str, Any]) -> None:
        payload = compact({"agent": agent_id, "message": message})
        await self._redis.publish(self._keys.desk_channel(), payload)

    # -- issue 17 (reconciler): batch reads -------------------------------------------------
    async def routed_data(self, call_ids: Sequence[str]) -> dict[str, RoutedCall]:
        if not call_ids:
            return {}
        found: list[Any] = await self._redis.hmget(self._keys.acd_meta(), list(call_ids))
        return {
            cid: RoutedCall.from_json(json.loads(raw))
            for cid, raw in zip(call_ids, found, strict=True)
            if raw
        }
