"""The simulator's side of Twilio's REST API: a mailbox per CallSid in Redis.

For calls placed by `callcenter ivr simulate --server`, the Twilio bridge talks to this
instead of Twilio: each `update_call` (redirect TwiML, or `status=completed`) is appended to
the call's mailbox, which the simulator long-polls (`GET /api/simulator/calls/{sid}/next`).
Polling is how the simulator reports itself alive; a simulator that stopped polling is a
call that has ended.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis

from callcenter.state.keys import Keys

log = logging.getLogger(__name__)
ALIVE_GRACE_SECONDS = 60  # after the end of a poll, how long the simulator counts as alive
BLOCK_SECONDS = 1  # each blocking pop, under redis-py's default socket timeout of 5 s


class RedisSimulatorRest:
    """Implements the Twilio bridge's `TwilioRest` for simulated calls, and the mailbox
    the simulator reads."""

    def __init__(self, client: aioredis.Redis, keys: Keys, ttl_seconds: int) -> None:
        self._redis = client
        self._keys = keys
        self._ttl = ttl_seconds

    async def update_call(
        self, sid: str, *, twiml: str | None = None, status: str | None = None
    ) -> None:
        message: dict[str, str] = {}
        if twiml is not None:
            message["twiml"] = twiml
        if status is not None:
            message["status"] = status
        key = self._keys.simulator_mailbox(sid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(message))
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def create_call(self, to: str, from_: str, twiml: str, leg: object = None) -> str:
        """Outbound calls are not simulated (a callback of a simulated caller): none placed."""
        sid = "CA" + secrets.token_hex(16)
        log.info("simulated call %s to an agent device not placed (callbacks are real only)", sid)
        return sid

    async def call_status(self, sid: str) -> str | None:
        """`in-progress` while the simulator polls, `completed` once it has stopped, None
        when it has not polled yet."""
        if await self._redis.exists(self._keys.simulator_alive(sid)):
            return "in-progress"
        if await self._redis.exists(self._keys.simulator_polled(sid)):
            return "completed"
        return None

    async def update_participant(
        self, conference_sid: str, call_sid: str, changes: Mapping[str, object]
    ) -> None:
        """Simulated calls meet their agent without a conference: nothing to change."""

    async def update_recording(self, conference_sid: str, recording_sid: str, status: str) -> None:
        """Simulated calls are not recorded."""

    async def next_instruction(self, sid: str, wait_seconds: int) -> dict[str, Any] | None:
        """The call's next instruction (`{"twiml": …}` or `{"status": …}`), waiting up to
        `wait_seconds` for one; None when none came."""
        await self._seen(sid, wait_seconds)
        key = self._keys.simulator_mailbox(sid)
        deadline = time.monotonic() + wait_seconds
        raw: bytes | str | None = await self._redis.lpop(key)  # type: ignore[assignment]
        while raw is None and time.monotonic() < deadline:
            popped = await self._redis.blpop([key], timeout=BLOCK_SECONDS)
            raw = popped[1] if popped else None
        if raw is None:
            return None
        message = json.loads(raw)
        return message if isinstance(message, dict) else None

    async def _seen(self, sid: str, wait_seconds: int) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(self._keys.simulator_alive(sid), b"1", ex=wait_seconds + ALIVE_GRACE_SECONDS)
            pipe.set(self._keys.simulator_polled(sid), b"1", ex=self._ttl)
            await pipe.execute()
