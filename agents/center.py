"""The ACD at work: presence changes, offers, bridging, wrap-up, transfers, abandons,
callbacks, live queue figures and the reconciler. Shared state is in Redis (`AcdState`), so
any number of instances run this together; SQL keeps the presence history and the calls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from agents.models import (
    Actor,
    AgentState,
    NotReadyReason,
    Presence,
    PresenceEvent,
    Priority,
    QueueConfig,
    QueuedInfo,
    WaitingCall,
)
from agents.ports import (
    AcdState,
    AgentDirectory,
    AgentInfo,
    Bridge,
    CallbackLog,
    CallEvents,
    QueueNow,
    ScreenPops,
)
from agents.presence import (
    MANUAL_FROM,
    StateConflictError,
    check_manual,
    parse_manual,
)
from agents.routing import estimated_wait_seconds
from agents.service import AgentProfile, Router
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError, NotFoundError

log = logging.getLogger(__name__)
S = AgentState
DESK_TIMEOUT_MS = 60_000  # a ready agent whose desk is gone this long goes not ready
PROVIDER_CHECKS_PER_PASS = 50
TRANSFER_WAIT_SECONDS = 60  # a call transferred to an agent waits this long for that agent
DEFAULT_HANDLE_SECONDS = 240.0


class NoSuchAgentError(NotFoundError):
    """Not an agent."""

    default_code = "no-such-agent"


class NoCallError(StateConflictError):
    """The agent has no such call."""

    default_code = "no-such-offer"


@dataclass(frozen=True, slots=True)
class Actorship:
    """Who asks for a change: the agent, a supervisor (with an id), or the system."""

    kind: Actor
    user_id: int | None = None


SYSTEM = Actorship(Actor.SYSTEM)


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


class Acd:
    """Presence, offers and calls with agents; every state change is an event with its actor."""

    def __init__(
        self,
        state: AcdState,
        directory: AgentDirectory,
        queues: Mapping[str, QueueConfig],
        clock: Clock,
        *,
        bridge: Bridge,
        calls: CallEvents,
        pops: ScreenPops,
        callbacks: CallbackLog,
        timezone: str,
        offer_seconds: int = 20,
    ) -> None:
        self._state = state
        self._directory = directory
        self._queues = dict(queues)
        self._clock = clock
        self._bridge = bridge
        self._calls = calls
        self._pops = pops
        self._callbacks = callbacks
        self._zone = ZoneInfo(timezone)
        self._offer_seconds = offer_seconds
        self._agents: dict[int, AgentInfo] = {}
        self._router = Router(state, self._queues, {}, offer_seconds=offer_seconds)

    # -- set-up -------------------------------------------------------------------------------

    @property
    def queues(self) -> Mapping[str, QueueConfig]:
        """The configured queues by name."""
        return self._queues

    async def refresh_agents(self) -> None:
        """Reload agents, skills and memberships from SQL (at start, then periodically)."""
        found = await self._directory.agents()
        self._agents = {a.agent_id: a for a in found}
        self._router.update_profiles(
            {
                a.agent_id: AgentProfile(a.skills, a.languages, frozenset(a.queues))
                for a in found
                if a.enabled
            }
        )

    def set_queues(self, queues: Mapping[str, QueueConfig]) -> None:
        """Route with these queues from now on (their settings were changed at run time)."""
        self._queues = dict(queues)
        self._router.set_queues(self._queues)

    def agent(self, agent_id: int) -> AgentInfo:
        """A configured agent, or `NoSuchAgentError`."""
        found = self._agents.get(agent_id)
        if found is None:
            raise NoSuchAgentError(f"no agent with id {agent_id}")
        return found

    def agents(self) -> list[AgentInfo]:
        """Every configured agent."""
        return list(self._agents.values())

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)

    # -- presence -----------------------------------------------------------------------------

    async def presence(self, agent_id: int) -> Presence:
        """The agent's presence now."""
        self.agent(agent_id)
        return (await self._state.presences([agent_id]))[agent_id]

    async def presences(self) -> dict[int, Presence]:
        """Every configured agent's presence, in one round trip."""
        return await self._state.presences(sorted(self._agents))

    async def _change(
        self,
        agent_id: int,
        allowed: frozenset[AgentState],
        new: Presence,
        actor: Actorship,
        wrap_up_until_ms: int | None = None,
    ) -> tuple[bool, Presence]:
        applied, previous = await self._state.set_presence(agent_id, allowed, new, wrap_up_until_ms)
        if applied:
            await self._after_change(agent_id, previous, new, actor, wrap_up_until_ms)
        return applied, previous

    async def _after_change(
        self,
        agent_id: int,
        previous: Presence,
        new: Presence,
        actor: Actorship,
        wrap_up_until_ms: int | None = None,
    ) -> None:
        event = PresenceEvent(
            agent_id,
            new.since_ms,
            previous.state,
            new.state,
            actor.kind,
            actor.user_id,
            new.reason,
            new.call_id or previous.call_id,
        )
        await self._directory.record([event])
        message: dict[str, Any] = {"type": "state", **_presence_json(new)}
        if wrap_up_until_ms is not None:
            message["wrap_up_until_ms"] = wrap_up_until_ms
        await self._state.publish(agent_id, message)

    async def login(self, agent_id: int, actor: Actorship) -> Presence:
        """Log in: not ready (system) until the agent says ready; already in: unchanged."""
        self.agent(agent_id)
        new = Presence(S.NOT_READY, self._now_ms(), NotReadyReason.SYSTEM.value)
        applied, previous = await self._change(agent_id, frozenset({S.LOGGED_OUT}), new, actor)
        return new if applied else previous

    async def set_state(
        self, agent_id: int, state: str, reason: str | None, actor: Actorship
    ) -> Presence:
        """A hand-set change (ready, not ready with a reason, logged out); an open offer is
        withdrawn and its call goes back to the head of its queue."""
        self.agent(agent_id)
        target, code = parse_manual(state, reason, actor.kind)
        current = await self.presence(agent_id)
        check_manual(current, target)
        new = Presence(target, self._now_ms(), code)
        applied, previous = await self._change(agent_id, MANUAL_FROM[target], new, actor)
        if not applied:
            check_manual(previous, target)
            raise StateConflictError(f"the agent's state changed to {previous.state}; try again")
        if previous.state is S.RESERVED and previous.call_id:
            await self._withdraw(previous.call_id, agent_id, "agent-left")
        return new

    # -- calls in queues ----------------------------------------------------------------------

    async def enqueue(
        self,
        call_id: str,
        queue: str,
        priority: Priority,
        *,
        skills: Sequence[str] = (),
        language: str = "zh-CN",
        preferred_agent: int | None = None,
        preferred_wait_seconds: int = 0,
        meta: Mapping[str, Any] | None = None,
    ) -> QueuedInfo:
        """A call enters a queue (from the IVR, a transfer, a callback). Unknown queues are
        refused; a call already queued keeps its place."""
        if queue not in self._queues:
            raise InvalidInputError(f"no queue named {queue!r}", code="no-such-queue")
        now = self._now_ms()
        call = WaitingCall(
            call_id,
            queue,
            priority,
            now,
            tuple(skills),
            language,
            preferred_agent,
            preferred_wait_seconds if preferred_agent is not None else 0,
        )
        await self._state.put_call_data(call_id, meta={**(meta or {}), "queue": queue})
        await self._state.enqueue(call)
        await self._state.count(queue, day_of(now, self._zone), {"entered": 1})
        position = await self._state.position(call_id, queue)
        return self._queued_info(queue, position or 1)

    async def request_callback(self, call_id: str, phone: str) -> None:
        """The caller asked to be called back: the call keeps its place in line and is kept
        as a pending callback; hanging up no longer abandons it."""
        meta, _ = await self._state.call_data(call_id)
        waiting = await self._state.waiting_call(call_id)
        if meta is None or waiting is None:
            raise NotFoundError(f"call {call_id} is not waiting", code="not-queued")
        await self._state.put_call_data(call_id, meta={**meta, "callback": True, "phone": phone})
        await self._callbacks.request(call_id, phone, waiting.queue, self._now_ms())
        await self._calls.record_event(call_id, "note_added", {"kind": "callback_requested"})

    async def call_ended(self, call_id: str, reason: str) -> bool:
        """The caller's call is over (provider status). Queued or offered: abandoned, the
        offer withdrawn from the desk; with an agent: the agent goes to timed wrap-up.
        True when the call keeps its place for a callback."""
        meta, _ = await self._state.call_data(call_id)
        if meta is None:
            return False
        if meta.get("callback") and await self._state.waiting_call(call_id) is not None:
            return True  # the caller hung up after asking for a callback: the place is kept
        now = self._now_ms()
        waiting = await self._state.waiting_call(call_id)
        if waiting is not None:
            agent_id = await self._state.abandon(call_id, now)
            await self._count_abandon(waiting, now)
            if agent_id is not None:
                await self._calls.record_event(
                    call_id, "offer_withdrawn", {"agent_id": agent_id, "reason": "abandoned"}
                )
                await self._state.publish(
                    agent_id, {"type": "offer_withdrawn", "call_id": call_id, "reason": "abandoned"}
                )
                await self._after_change(
                    agent_id,
                    Presence(S.RESERVED, now, None, call_id),
                    Presence(S.READY, now),
                    SYSTEM,
                )
            await self._state.forget_call(call_id)
            waited = (now - waiting.enqueued_ms) // 1000
            log.info("call %s abandoned after %d s (%s)", call_id, waited, reason)
            return False
        agent_id = meta.get("agent_id")
        if agent_id is not None:
            await self._to_wrap_up(int(agent_id), call_id, str(meta.get("queue", "")), now)
        return False

    async def offer_for(self, call_id: str) -> AgentInfo | None:
        """The agent the call is offered to right now, once the offer is made and recorded
        (the telephony side then rings that agent's device)."""
        agent_id = await self._state.offered_to(call_id)
        if agent_id is None:
            return None
        meta, _ = await self._state.call_data(call_id)
        if meta is None or meta.get("agent_id") != agent_id:
            return None  # the offer is still being made
        return self._agents.get(agent_id)

    async def waiting_info(self, call_id: str) -> QueuedInfo | None:
        """Where a waiting call stands: position in its queue, estimated wait, and whether
        a callback should be offered (the wait is over the queue's threshold)."""
        waiting = await self._state.waiting_call(call_id)
        position = await self._state.position(call_id, waiting.queue) if waiting else None
        if waiting is None or position is None:
            return None
        return self._queued_info(waiting.queue, position)

    def _queued_info(self, queue: str, position: int) -> QueuedInfo:
        config = self._queues[queue]
        serving = sum(1 for a in self._agents.values() if queue in a.queues)
        wait = estimated_wait_seconds(position, serving, DEFAULT_HANDLE_SECONDS)
        threshold = config.callback_offer_seconds
        return QueuedInfo(position, wait, threshold is not None and wait > threshold)

    async def _count_abandon(self, waiting: WaitingCall, now: int) -> None:
        config = self._queues.get(waiting.queue)
        wait = now - waiting.enqueued_ms
        short = config is not None and wait < config.short_abandon_seconds * 1000
        await self._state.count(
            waiting.queue,
            day_of(now, self._zone),
            {"abandoned": 1, "short": int(short), "abandon_wait_ms": wait},
        )

    async def _to_wrap_up(self, agent_id: int, call_id: str, queue: str, now: int) -> None:
        config = self._queues.get(queue)
        seconds = config.wrap_up_seconds if config is not None else 30
        new = Presence(S.WRAP_UP, now, None, call_id)
        applied, _ = await self._change(
            agent_id, frozenset({S.ON_CALL}), new, SYSTEM, now + seconds * 1000
        )
        if applied:
            await self._state.publish(agent_id, {"type": "call_ended", "call_id": call_id})

    # -- offers -------------------------------------------------------------------------------

    async def route(self) -> int:
        """One routing round: offers made, each with its screen-pop, and bridged."""
        now = self._now_ms()
        result = await self._router.route_once(now)
        for assignment in result.offered:
            await self._offer(assignment.call_id, assignment.agent_id, assignment.queue, now)
        return len(result.offered)

    async def _offer(self, call_id: str, agent_id: int, queue: str, now: int) -> None:
        meta, _ = await self._state.call_data(call_id)
        meta = {**(meta or {}), "agent_id": agent_id, "queue": queue}
        pop = await self._pops.build(call_id, meta)
        await self._after_change(
            agent_id,
            Presence(S.READY, now),
            Presence(S.RESERVED, now, None, call_id),
            SYSTEM,
        )
        deadline = now + self._offer_seconds * 1000
        await self._state.publish(
            agent_id, {"type": "offer", "call_id": call_id, "deadline_ms": deadline, "pop": pop}
        )
        await self._calls.record_event(call_id, "offered", {"agent_id": agent_id, "queue": queue})
        if meta.get("callback"):
            await self._callbacks.set_status(call_id, "offered", now, agent_id)
        # Written last: a telephony side that watches for it (Asterisk) rings the agent only
        # once the offer is on record.
        await self._state.put_call_data(call_id, meta=meta, pop=pop)
        try:
            await self._bridge.connect(call_id, meta, self.agent(agent_id))
        except Exception:
            log.exception("bridging call %s to agent %d failed: offer withdrawn", call_id, agent_id)
            await self._withdraw(call_id, agent_id, "bridge-failed")

    async def accept(self, agent_id: int, call_id: str, actor: Actorship) -> Presence:
        """The agent answered the offer (the desk, or the device answered)."""
        self.agent(agent_id)
        now = self._now_ms()
        waiting = await self._state.waiting_call(call_id)
        if not await self._state.accept(call_id, agent_id, now):
            raise NoCallError(f"call {call_id} is not offered to agent {agent_id}")
        if waiting is None:  # accepted before: nothing more to record
            return await self.presence(agent_id)
        new = Presence(S.ON_CALL, now, None, call_id)
        await self._after_change(agent_id, Presence(S.RESERVED, now, None, call_id), new, actor)
        config = self._queues.get(waiting.queue)
        wait = now - waiting.enqueued_ms
        in_sl = config is not None and wait <= config.service_level_seconds * 1000
        await self._state.count(
            waiting.queue,
            day_of(now, self._zone),
            {"answered": 1, "in_sl": int(in_sl), "answer_wait_ms": wait},
        )
        await self._calls.record_event(call_id, "agent_connected", {"agent_id": agent_id})
        await self._state.publish(agent_id, {"type": "connected", "call_id": call_id})
        meta, _ = await self._state.call_data(call_id)
        if meta and meta.get("callback"):
            await self._callbacks.set_status(call_id, "done", now, agent_id)
        return new

    async def device_answered(self, call_id: str, agent_id: int) -> None:
        """The agent's device answered (telephony): the offer is accepted."""
        try:
            await self.accept(agent_id, call_id, SYSTEM)
        except (NoCallError, NoSuchAgentError) as err:
            log.info("answer of call %s by agent %d ignored: %s", call_id, agent_id, err.message)

    async def device_unanswered(self, call_id: str, agent_id: int, status: str) -> bool:
        """The agent's device did not answer (no answer, busy, failed): the call back to
        the head of its queue; the telephony adapter puts the caller back itself."""
        return await self._withdraw(call_id, agent_id, status, bridge=False)

    async def decline(self, agent_id: int, call_id: str) -> None:
        """The agent turned the offer down: the call back to the head of its queue."""
        self.agent(agent_id)
        if await self._state.offered_to(call_id) != agent_id:
            raise NoCallError(f"call {call_id} is not offered to agent {agent_id}")
        await self._withdraw(call_id, agent_id, "declined")

    async def _withdraw(
        self, call_id: str, agent_id: int, reason: str, *, bridge: bool = True
    ) -> bool:
        now = self._now_ms()
        if not await self._state.requeue_at_head(call_id, agent_id, now):
            return False
        after = (await self._state.presences([agent_id]))[agent_id]
        await self._after_change(agent_id, Presence(S.RESERVED, now, None, call_id), after, SYSTEM)
        await self._state.publish(
            agent_id, {"type": "offer_withdrawn", "call_id": call_id, "reason": reason}
        )
        await self._calls.record_event(
            call_id, "offer_withdrawn", {"agent_id": agent_id, "reason": reason}
        )
        meta, _ = await self._state.call_data(call_id)
        if meta is not None:
            await self._state.put_call_data(call_id, meta={**meta, "agent_id": None})
            if bridge:
                await self._bridge.withdraw(call_id, meta)
        log.info("offer of call %s to agent %d withdrawn: %s", call_id, agent_id, reason)
        return True

    async def expire(self) -> int:
        """Offers past their deadline go back to the head of their queue (the agent to not
        ready, no answer); timed wrap-ups that ended make their agents ready."""
        now = self._now_ms()
        done = 0
        for call_id, agent_id in await self._state.expired_offers(now):
            done += await self._withdraw(call_id, agent_id, "no-answer")
        for agent_id in await self._state.wrap_ups_due(now):
            applied, previous = await self._change(
                agent_id, frozenset({S.WRAP_UP}), Presence(S.READY, now), SYSTEM
            )
            if applied and previous.call_id:
                await self._finish_call(previous.call_id, agent_id, None, "", now)
            done += applied
        return done

    # -- with the call --------------------------------------------------------------------------

    async def _current_call(self, agent_id: int, states: frozenset[AgentState]) -> str:
        presence = await self.presence(agent_id)
        if presence.state not in states or not presence.call_id:
            wanted = " or ".join(sorted(states))
            raise NoCallError(f"the agent is {presence.state}, not {wanted}")
        return presence.call_id

    async def hang_up(self, agent_id: int, actor: Actorship) -> str:
        """The agent ends the call: the caller is hung up and the agent goes to wrap-up."""
        call_id = await self._current_call(agent_id, frozenset({S.ON_CALL}))
        meta, _ = await self._state.call_data(call_id)
        await self._bridge.hang_up(call_id, meta or {})
        await self._to_wrap_up(
            agent_id, call_id, str((meta or {}).get("queue", "")), self._now_ms()
        )
        return call_id

    async def transfer(
        self, agent_id: int, *, queue: str | None, to_agent: int | None, actor: Actorship
    ) -> str:
        """Send the call to a queue, or to an agent (who gets it first for a while); the
        transferring agent goes to wrap-up."""
        if (queue is None) == (to_agent is None):
            raise InvalidInputError("transfer to a queue or to an agent", code="invalid-transfer")
        call_id = await self._current_call(agent_id, frozenset({S.ON_CALL}))
        if to_agent is not None:
            queue = await self._queue_for(call_id, self.agent(to_agent))
        assert queue is not None
        meta, _ = await self._state.call_data(call_id)
        meta = {**(meta or {}), "agent_id": None, "transferred_by": agent_id, "queue": queue}
        await self._calls.record_event(
            call_id, "transferred", {"queue": queue, "to_agent": to_agent, "by": agent_id}
        )
        await self.enqueue(
            call_id,
            queue,
            Priority.IMPORTANT,  # a transferred caller has waited once already
            preferred_agent=to_agent,
            preferred_wait_seconds=TRANSFER_WAIT_SECONDS,
            meta=meta,
        )
        await self._bridge.withdraw(call_id, meta)
        now = self._now_ms()
        await self._change(
            agent_id,
            frozenset({S.ON_CALL}),
            Presence(S.WRAP_UP, now, None, call_id),
            actor,
            now + self._wrap_up_ms(queue),
        )
        return call_id

    async def _queue_for(self, call_id: str, target: AgentInfo) -> str:
        """The queue a call transferred to `target` waits in: its own queue when the agent
        serves it, else general, else any queue of the agent's."""
        meta, _ = await self._state.call_data(call_id)
        for queue in ((meta or {}).get("queue"), "general", *sorted(target.queues)):
            if queue in target.queues and queue in self._queues:
                return str(queue)
        raise InvalidInputError(
            f"agent {target.agent_id} serves no configured queue", code="invalid-transfer"
        )

    def _wrap_up_ms(self, queue: str) -> int:
        config = self._queues.get(queue)
        return (config.wrap_up_seconds if config is not None else 30) * 1000

    async def wrap_up_done(
        self,
        agent_id: int,
        disposition: str,
        notes: str,
        actor: Actorship,
        *,
        not_ready_reason: str | None = None,
    ) -> Presence:
        """Wrap-up finished early, with the disposition and notes: ready again (or not ready
        with a reason)."""
        call_id = await self._current_call(agent_id, frozenset({S.WRAP_UP}))
        now = self._now_ms()
        if not_ready_reason is not None:
            _, code = parse_manual(S.NOT_READY, not_ready_reason, actor.kind)
            new = Presence(S.NOT_READY, now, code)
        else:
            new = Presence(S.READY, now)
        applied, previous = await self._change(agent_id, frozenset({S.WRAP_UP}), new, actor)
        if not applied:
            raise StateConflictError(f"the agent is {previous.state} now, not in wrap-up")
        await self._finish_call(call_id, agent_id, disposition, notes, now)
        return new

    async def _finish_call(
        self, call_id: str, agent_id: int, disposition: str | None, notes: str, now: int
    ) -> None:
        if notes:
            await self._calls.record_event(
                call_id, "note_added", {"kind": "agent_notes", "agent_id": agent_id, "text": notes}
            )
        meta, _ = await self._state.call_data(call_id)
        if meta is not None and meta.get("transferred_by") == agent_id:
            return  # the call lives on with another agent
        await self._calls.record_event(
            call_id,
            "wrap_up_done",
            {"agent_id": agent_id, "disposition": disposition or "no-disposition"},
        )
        await self._state.forget_call(call_id)

    # -- desks and wallboard ------------------------------------------------------------------

    async def desk_state(self, agent_id: int) -> dict[str, Any]:
        """What a (re)connecting desk needs: the presence and the call's pop, if any."""
        presence = await self.presence(agent_id)
        message: dict[str, Any] = {"type": "state", **_presence_json(presence)}
        if presence.call_id:
            _, pop = await self._state.call_data(presence.call_id)
            message["call"] = {"call_id": presence.call_id, "pop": pop}
        return message

    async def desk_connected(self, agent_id: int) -> None:
        """A desk socket for the agent is open (and alive: called on each heartbeat)."""
        await self._state.desk_seen(agent_id, self._now_ms())

    async def desk_closed(self, agent_id: int) -> None:
        """The agent's last desk socket on this instance closed."""
        await self._state.desk_gone(agent_id, self._now_ms())

    async def realtime(self) -> dict[str, Any]:
        """Per queue: waiting, longest wait, service level, ASA, abandon rate, agents by
        state; per agent: state and time in state."""
        now = self._now_ms()
        ids = sorted(self._agents)
        presences = await self.presences()
        day = day_of(now, self._zone)
        nows = await self._state.queues_now(list(self._queues), day)
        queues = []
        for name, config in self._queues.items():
            by_state: dict[str, int] = {}
            for agent_id in ids:
                if name in self._agents[agent_id].queues:
                    state = presences[agent_id].state.value
                    by_state[state] = by_state.get(state, 0) + 1
            queues.append(queue_figures(config, nows[name], now, by_state))
        agents = [
            {
                "agent_id": agent_id,
                "name": self._agents[agent_id].display_name,
                "state": presences[agent_id].state.value,
                "reason": presences[agent_id].reason,
                "call_id": presences[agent_id].call_id,
                "seconds_in_state": (
                    max(0, (now - presences[agent_id].since_ms) // 1000)
                    if presences[agent_id].since_ms
                    else None
                ),
            }
            for agent_id in ids
        ]
        return {"at_ms": now, "day": day, "queues": queues, "agents": agents}

    # -- repairs ------------------------------------------------------------------------------

    async def _provider_says_ended(self, call_id: str, meta: Mapping[str, Any]) -> bool:
        try:
            return await self._bridge.is_live(meta) is False
        except Exception as err:  # the provider unreachable: ask again on the next pass
            log.warning("reconciler could not ask the provider about call %s: %s", call_id, err)
            return False

    async def reconcile(self) -> list[str]:
        """Repair drift and log each repair: agents reserved without a live offer, calls in
        queue whose provider call has ended, ready agents whose desk went away."""
        now = self._now_ms()
        repairs: list[str] = []
        presences = await self.presences()
        desks = await self._state.desks()
        for agent_id, presence in presences.items():
            if presence.state is S.RESERVED:
                offered = (
                    await self._state.offered_to(presence.call_id) if presence.call_id else None
                )
                if offered != agent_id:
                    await self._change(
                        agent_id, frozenset({S.RESERVED}), Presence(S.READY, now), SYSTEM
                    )
                    repairs.append(f"agent {agent_id} reserved without a live offer: ready")
            elif presence.state is S.READY and _desk_lost(desks.get(agent_id), now):
                down = Presence(S.NOT_READY, now, NotReadyReason.SYSTEM.value)
                await self._change(agent_id, frozenset({S.READY}), down, SYSTEM)
                repairs.append(f"agent {agent_id} ready but the desk is gone: not ready (system)")
        asked = 0  # provider look-ups per pass are bounded (REST rate limits)
        for call_id in await self._state.routed_calls():
            meta, _ = await self._state.call_data(call_id)
            if meta is not None and meta.get("callback"):
                continue
            ended = await self._calls.has_ended(call_id)
            if not ended and meta is not None and asked < PROVIDER_CHECKS_PER_PASS:
                asked += 1
                ended = await self._provider_says_ended(call_id, meta)
            if ended:
                await self.call_ended(call_id, "reconciled")
                repairs.append(f"call {call_id} queued but its call has ended: abandoned")
        for repair in repairs:
            log.warning("reconciler: %s", repair)
        return repairs


def _desk_lost(seen: int | None, now_ms: int) -> bool:
    """A desk that was connected and is gone: closed (negative: when) longer than the grace
    time ago, or its instance stopped sending heartbeats. Agents who never used a desk (API
    clients) are left alone."""
    if seen is None:
        return False
    last = -seen if seen < 0 else seen
    return now_ms - last > DESK_TIMEOUT_MS


def _presence_json(presence: Presence) -> dict[str, Any]:
    return {
        "state": presence.state.value,
        "reason": presence.reason,
        "since_ms": presence.since_ms,
        "call_id": presence.call_id,
    }
