"""Calls in queues: enqueue, what a waiting caller hears (position, estimated wait, the
callback offer), callbacks that keep the place, callers who hang up while waiting, and the
max-wait timer (offer a callback, overflow, or end the call politely)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from agents.models import (
    SYSTEM,
    AgentState,
    MaxWaitAction,
    Presence,
    QueueConfig,
    QueuedInfo,
    QueueRequest,
    RoutedCall,
    WaitingCall,
)
from agents.ports import AcdState, Bridge, CallbackLog, CallEvents, SeenWaiting
from agents.presence_service import PresenceService
from agents.roster import Roster
from agents.waiting import WaitOutcome, queued_info, wait_outcome
from agents.wallboard import QueueCounters
from callcenter.core.ending import EndedBy
from callcenter.core.errors import InvalidInputError, NotFoundError

log = logging.getLogger(__name__)
S = AgentState
MAX_WAIT_SCAN_MS = 1000  # the max-wait timer looks at most this often (per instance)
MAX_WAIT_BATCH = 200  # calls handled per look; the rest on the next one
CALLBACK_MARK = "callback-requested"  # a pending callback is never timed out


class Queueing:
    """Waiting calls: in, informed, kept as callbacks, timed out, or abandoned."""

    def __init__(
        self,
        state: AcdState,
        roster: Roster,
        presence: PresenceService,
        counters: QueueCounters,
        *,
        calls: CallEvents,
        callbacks: CallbackLog,
        bridge: Bridge,
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._counters = counters
        self._calls = calls
        self._callbacks = callbacks
        self._bridge = bridge
        self._last_scan_ms: int | None = None

    async def enqueue(self, request: QueueRequest) -> QueuedInfo:
        """A call enters a queue (from the IVR, a transfer, a callback). Unknown queues are
        refused; a call already queued keeps its place."""
        call_id, queue, preferred = request.call_id, request.queue, request.preferred_agent
        if queue not in self._roster.queues:
            raise InvalidInputError(f"no queue named {queue!r}", code="no-such-queue")
        now = self._presence.now_ms()
        call = WaitingCall(
            call_id,
            queue,
            request.priority,
            now,
            request.skills,
            request.language,
            preferred,
            request.preferred_wait_seconds if preferred is not None else 0,
            request.line.simulated,
        )
        routed = RoutedCall(
            request.line,
            queue,
            transferred_by=request.transferred_by,
            attempt=request.attempt,
            language=request.language,
        )
        await self._state.enqueue(call, routed)
        _, position, logged_in = await asyncio.gather(
            self._counters.add(queue, now, {"entered": 1}, call),
            self._state.position(call_id, queue),
            self.logged_in(queue),
        )
        return self._info(queue, position or 1, None, logged_in)

    async def request_callback(self, call_id: str, phone: str) -> None:
        """The caller asked to be called back: the call keeps its place in line and is kept
        as a pending callback; hanging up no longer abandons it."""
        routed, _ = await self._state.call_data(call_id)
        waiting = await self._state.waiting_call(call_id)
        if routed is None or waiting is None:
            raise NotFoundError(f"call {call_id} is not waiting", code="not-queued")
        await self._state.put_call_data(call_id, routed.but(callback=True, phone=phone))
        await self._state.mark_max_wait(call_id, CALLBACK_MARK)
        await self._callbacks.request(call_id, phone, waiting.queue, self._presence.now_ms())
        await self._calls.record_event(call_id, "note_added", {"kind": "callback_requested"})

    async def waiting_info(self, call_id: str) -> QueuedInfo | None:
        """Where a waiting call stands (None: not waiting): position, estimated wait, the
        callback offer, and the max-wait outcome once reached."""
        waiting = await self._state.waiting_call(call_id)
        if waiting is None:
            return None
        position, (routed, _), logged_in = await asyncio.gather(
            self._state.position(call_id, waiting.queue),
            self._state.call_data(call_id),
            self.logged_in(waiting.queue),
        )
        if position is None:
            return None
        reached = routed.max_wait if routed is not None else None
        return self._info(waiting.queue, position, reached, logged_in)

    def _info(
        self, queue: str, position: int, reached: MaxWaitAction | None, logged_in: int
    ) -> QueuedInfo:
        config = self._roster.queues.get(queue) or QueueConfig(queue)
        return queued_info(position, logged_in, config, reached)

    async def logged_in(self, queue: str) -> int:
        """Agents of `queue` who are logged in now (in any state)."""
        return await self._state.logged_in(self._roster.members(queue))

    async def caller_left(
        self,
        call_id: str,
        routed: RoutedCall,
        waiting: WaitingCall,
        reason: str,
        offered_to: int | None,
    ) -> None:
        """The caller's call ended while queued or offered (to `offered_to`, as read with
        `waiting`): an abandon (the offer withdrawn from the desk), or the polite end after
        the maximum wait."""
        now = self._presence.now_ms()
        seen = SeenWaiting(waiting.queue, offered_to)
        agent_id = await self._state.abandon(call_id, now, seen)
        ended_politely = routed.max_wait is MaxWaitAction.END
        if ended_politely:
            await self._calls.record_event(
                call_id, "hung_up", {"by": EndedBy.MAX_WAIT.value, "reason": reason}
            )
        if agent_id is not None:
            await self._calls.record_event(
                call_id, "offer_withdrawn", {"agent_id": agent_id, "reason": "abandoned"}
            )
            await self._state.publish(
                agent_id, {"type": "offer_withdrawn", "call_id": call_id, "reason": "abandoned"}
            )
            await self._presence.announce(
                agent_id, Presence(S.RESERVED, now, None, call_id), Presence(S.READY, now), SYSTEM
            )
        counted = (
            self._counters.add(waiting.queue, now, {"max_wait_ended": 1}, waiting)
            if ended_politely
            else self._counters.abandoned(waiting, now)
        )
        await asyncio.gather(counted, self._state.forget_call(call_id))  # one round trip
        waited = (now - waiting.enqueued_ms) // 1000
        log.info("call %s left the queue after %d s (%s)", call_id, waited, reason)

    async def expire_waits(self) -> int:
        """The max-wait timer (each routing tick; it looks once a second): calls past their
        queue's maximum wait get the queue's outcome, once per call whichever instance
        sees them first. How many were handled."""
        now = self._presence.now_ms()
        if self._last_scan_ms is not None and now - self._last_scan_ms < MAX_WAIT_SCAN_MS:
            return 0
        self._last_scan_ms = now
        queues = dict(self._roster.queues)
        cutoffs = {name: now - c.max_wait_seconds * 1000 for name, c in queues.items()}
        done = 0
        for call in await self._state.overdue_waits(cutoffs, MAX_WAIT_BATCH):
            config = queues.get(call.queue)
            outcome = wait_outcome(call, config, now) if config is not None else None
            if outcome is None or not await self._state.mark_max_wait(
                call.call_id, outcome.action.value
            ):
                continue
            done += await self._apply(call, outcome, now)
        return done

    async def _apply(self, call: WaitingCall, outcome: WaitOutcome, now: int) -> bool:
        known, _ = await self._state.call_data(call.call_id)
        routed = known or RoutedCall(queue=call.queue)
        if outcome.queue is not None:  # overflow: same priority and enqueue time
            if not await self._state.move_call(replace(call, queue=outcome.queue), call.queue):
                return False
            await self._state.put_call_data(call.call_id, routed.but(queue=outcome.queue))
            await self._counters.add(call.queue, now, {"overflowed": 1}, call)
            await self._counters.add(outcome.queue, now, {"entered": 1}, call)
            await self._calls.record_event(
                call.call_id,
                "queued",
                {"queue": outcome.queue, "from_queue": call.queue, "reason": "max-wait"},
            )
            log.info("call %s overflowed from %s to %s", call.call_id, call.queue, outcome.queue)
            return True
        routed = routed.but(max_wait=outcome.action)
        await self._state.put_call_data(call.call_id, routed)
        await self._calls.record_event(
            call.call_id,
            "note_added",
            {"kind": "max_wait", "outcome": outcome.action.value, "queue": call.queue},
        )
        try:
            await self._bridge.interrupt(call.call_id, routed)
        except Exception as err:  # the caller hears it at the next look at the queue anyway
            log.warning("call %s: the max-wait interrupt failed: %s", call.call_id, err)
        return True
