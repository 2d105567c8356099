"""Redis lost its data (restarted without persistence, flushed): the ACD is rebuilt from
SQL within one check period. Agents get back their last state as SQL recorded it — ready or
not ready (with its reason); one who was reserved, on a call or in wrap-up is not ready
(`system`), since that call's handling went with Redis — each change recorded with actor
`system` and pushed to the desk with a notice. Calls the records say are waiting (queued or
offered, not ended) are put back in line with their priority and their original enqueue
time, so they keep their place."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from agents.models import (
    SYSTEM,
    AgentState,
    NotReadyReason,
    Presence,
    Priority,
    RoutedCall,
    WaitingCall,
)
from agents.ports import AcdState, AgentDirectory
from agents.presence_service import PresenceService
from agents.recovery.ports import Epoch, OpenCall, OpenCalls
from agents.roster import Roster

log = logging.getLogger(__name__)
S = AgentState
KEPT = frozenset({S.READY, S.NOT_READY})
NOTICE = "state-restored"


class Recovery:
    """`check()`: rebuild when the shared state lost its data; True when it did."""

    def __init__(
        self,
        state: AcdState,
        roster: Roster,
        presence: PresenceService,
        directory: AgentDirectory,
        *,
        open_calls: OpenCalls,
        epoch: Epoch,
        now: Callable[[], datetime],
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._directory = directory
        self._open_calls = open_calls
        self._epoch = epoch
        self._now = now

    async def check(self) -> bool:
        if not await self._epoch.lost():
            return False
        agents = await self._agents()
        calls = await self._calls()
        if agents or calls:
            log.error(
                "the shared state (Redis) lost its data: rebuilt from SQL, %d agents and %d "
                "waiting calls",
                agents,
                calls,
            )
        else:  # a new in-process store, or a loss while nobody was on: nothing to rebuild
            log.info("the shared state (Redis) is new: nothing to rebuild from SQL")
        return True

    async def _agents(self) -> int:
        restored = 0
        now = self._presence.now_ms()
        for agent in self._roster.agents():
            history = await self._directory.history(agent.agent_id, 1)
            if not history or history[0].to_state is S.LOGGED_OUT:
                continue
            last = history[0]
            if last.to_state in KEPT:
                new = Presence(last.to_state, now, last.reason)
            else:
                new = Presence(S.NOT_READY, now, NotReadyReason.SYSTEM.value)
            applied, _ = await self._presence.change(
                agent.agent_id, frozenset({S.LOGGED_OUT}), new, SYSTEM
            )
            if applied:
                restored += 1
                notice = {"type": "notice", "code": NOTICE, "state": new.state.value}
                await self._state.publish(agent.agent_id, notice)
        return restored

    async def _calls(self) -> int:
        waiting = await self._open_calls.waiting(self._now())
        for call in waiting:
            await self._state.put_call_data(call.call_id, RoutedCall(call.line, call.queue))
            await self._state.enqueue(_waiting(call))
        return len(waiting)


def _waiting(call: OpenCall) -> WaitingCall:
    try:
        priority = Priority.parse(call.priority)
    except (KeyError, ValueError):
        priority = Priority.NORMAL
    skills = call.skills or ((call.queue,) if call.queue != "general" else ())
    at = int(call.queued_at.timestamp() * 1000)
    return WaitingCall(call.call_id, call.queue, priority, at, skills, simulated=call.simulated)
