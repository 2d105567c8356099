"""The wallboard: the day's counters per queue (fed as calls enter, are answered, abandoned
or overflowed) and the live figures computed from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from agents.models import QueueConfig, WaitingCall
from agents.ports import AcdState, QueueNow
from agents.presence_service import PresenceService
from agents.roster import Roster


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """A queue's live figures for the wallboard."""

    queue: str
    waiting: int
    longest_wait_seconds: int
    entered: int
    answered: int
    answered_within_sl: int
    abandoned: int
    short_abandoned: int
    service_level: float | None
    average_speed_of_answer_seconds: float | None
    abandon_rate: float | None
    service_level_seconds: int
    agents: Mapping[str, int]


def day_of(now_ms: int, zone: ZoneInfo) -> str:
    """The local day the counters of `now_ms` go to."""
    return datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(zone).strftime("%Y%m%d")


def queue_figures(
    config: QueueConfig, now: QueueNow, now_ms: int, agents: Mapping[str, int]
) -> QueueFigures:
    """Service level = answered within T s / (answered + abandoned − short abandons);
    ASA = answer wait / answered; abandon rate = abandons past the short limit / the same
    denominator."""
    c = now.counters
    answered, abandoned, short = c.get("answered", 0), c.get("abandoned", 0), c.get("short", 0)
    offered = answered + abandoned - short
    oldest = now.oldest_enqueued_ms
    return QueueFigures(
        queue=config.name,
        waiting=now.waiting,
        longest_wait_seconds=max(0, (now_ms - oldest) // 1000) if oldest is not None else 0,
        entered=c.get("entered", 0),
        answered=answered,
        answered_within_sl=c.get("in_sl", 0),
        abandoned=abandoned,
        short_abandoned=short,
        service_level=c.get("in_sl", 0) / offered if offered > 0 else None,
        average_speed_of_answer_seconds=(
            c.get("answer_wait_ms", 0) / answered / 1000 if answered else None
        ),
        abandon_rate=(abandoned - short) / offered if offered > 0 else None,
        service_level_seconds=config.service_level_seconds,
        agents=agents,
    )


class QueueCounters:
    """The day's counters of each queue, in shared state (local days)."""

    def __init__(self, state: AcdState, roster: Roster, timezone: str) -> None:
        self._state = state
        self._queues = roster.queues
        self.zone = ZoneInfo(timezone)

    async def add(
        self, queue: str, now_ms: int, increments: Mapping[str, int], call: WaitingCall
    ) -> None:
        """Add to `queue`'s counters of the day of `now_ms` for `call` (a simulated call is
        left out of the figures)."""
        if not call.simulated:
            await self._state.count(queue, day_of(now_ms, self.zone), increments)

    async def answered(self, call: WaitingCall, now_ms: int) -> None:
        """The call was answered after waiting since it was queued."""
        config = self._queues.get(call.queue)
        wait = now_ms - call.enqueued_ms
        in_sl = config is not None and wait <= config.service_level_seconds * 1000
        await self.add(
            call.queue, now_ms, {"answered": 1, "in_sl": int(in_sl), "answer_wait_ms": wait}, call
        )

    async def abandoned(self, call: WaitingCall, now_ms: int) -> None:
        """The caller hung up while waiting (short abandons counted apart)."""
        config = self._queues.get(call.queue)
        wait = now_ms - call.enqueued_ms
        short = config is not None and wait < config.short_abandon_seconds * 1000
        increments = {"abandoned": 1, "short": int(short), "abandon_wait_ms": wait}
        await self.add(call.queue, now_ms, increments, call)


class Wallboard:
    """The live figures: per queue and per agent."""

    def __init__(
        self, state: AcdState, roster: Roster, presence: PresenceService, counters: QueueCounters
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._counters = counters

    async def realtime(self) -> dict[str, Any]:
        """Per queue: waiting, longest wait, service level, ASA, abandon rate, agents by
        state; per agent: state and time in state."""
        now = self._presence.now_ms()
        queues = dict(self._roster.queues)
        presences = await self._presence.presences()
        day = day_of(now, self._counters.zone)
        nows = await self._state.queues_now(list(queues), day)
        figures = []
        for name, config in queues.items():
            by_state: dict[str, int] = {}
            for agent_id in self._roster.members(name):
                state = presences[agent_id].state.value
                by_state[state] = by_state.get(state, 0) + 1
            figures.append(queue_figures(config, nows[name], now, by_state))
        agents = []
        for agent in sorted(self._roster.agents(), key=lambda a: a.agent_id):
            presence = presences[agent.agent_id]
            agents.append(
                {
                    "agent_id": agent.agent_id,
                    "name": agent.display_name,
                    "state": presence.state.value,
                    "reason": presence.reason,
                    "call_id": presence.call_id,
                    "seconds_in_state": (
                        max(0, (now - presence.since_ms) // 1000) if presence.since_ms else None
                    ),
                }
            )
        return {"at_ms": now, "day": day, "queues": figures, "agents": agents}
