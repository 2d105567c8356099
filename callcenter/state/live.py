"""Live calls' state in Redis: one small JSON value per call with an agent, kept for a day
at most (a call that ended without being forgotten does not stay)."""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from agents.live.models import Consult, ConsultStatus, LiveState, RecordingStatus
from callcenter.state.keys import Keys

TTL_SECONDS = 86_400


def encode(state: LiveState) -> str:
    """The JSON a live state is kept as."""
    consult = state.consult
    data: dict[str, Any] = {
        "agent": state.agent_id,
        "held": state.held,
        "consult": None
        if consult is None
        else [consult.agent_id, consult.status.value, consult.queue],
        "recording": state.recording.value if state.recording else None,
        "refs": dict(state.refs),
    }
    return json.dumps(data, separators=(",", ":"))


def decode(raw: bytes | str) -> LiveState:
    """The live state `encode` wrote."""
    data = json.loads(raw)
    consult = data.get("consult")
    recording = data.get("recording")
    return LiveState(
        int(data["agent"]),
        bool(data.get("held")),
        None if not consult else Consult(int(consult[0]), ConsultStatus(consult[1]), consult[2]),
        RecordingStatus(recording) if recording else None,
        {str(k): str(v) for k, v in (data.get("refs") or {}).items()},
    )


class RedisLiveStates:
    """Implements `agents.live.ports.LiveStates`."""

    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    async def get(self, call_id: str) -> LiveState | None:
        raw = await self._redis.get(self._keys.live_call(call_id))
        return None if raw is None else decode(raw)

    async def put(self, call_id: str, state: LiveState) -> None:
        await self._redis.set(self._keys.live_call(call_id), encode(state), ex=TTL_SECONDS)

    async def forget(self, call_id: str) -> None:
        await self._redis.delete(self._keys.live_call(call_id))
