"""The ACD: one facade over the parts that do the work, so that the HTTP handlers, the desk,
the telephony adapters and the app hold one object. Shared state is in Redis (`AcdState`),
so any number of instances run it together; SQL keeps the presence history and the calls.

- `agents.presence_service`: log in, hand-set states, every change with its actor;
- `agents.queueing`: enqueue, what a waiting caller hears, callbacks, the max-wait timer;
- `agents.offers`: routing rounds become offers (screen-pop, bridge), answered or not,
  withdrawn, expired, and the ring time;
- `agents.wrap_up`: the agent's leg ends, the caller's call ends, hang-up, transfer,
  wrap-up;
- `agents.wallboard`, `agents.reconciler`, and `agents.router` (the routing round).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from agents.live.center import LiveCenter
from agents.live.ports import LiveStates
from agents.live.service import LiveControls, LiveParts
from agents.models import (
    SYSTEM,
    Actorship,
    AgentState,
    Presence,
    QueueConfig,
    QueuedInfo,
    QueueRequest,
)
from agents.offers import Offers
from agents.ports import (
    AcdState,
    AgentDirectory,
    AgentInfo,
    Bridge,
    CallbackLog,
    CallEnds,
    CallEvents,
    ScreenPops,
)
from agents.presence import NoCallError
from agents.presence_service import PresenceService
from agents.queueing import Queueing
from agents.queues import QueueBook
from agents.reconciler import Reconciler
from agents.recovery.ports import Epoch, OpenCalls
from agents.recovery.service import Recovery
from agents.roster import NoSuchAgentError, Roster
from agents.router import Router
from agents.seats import Seats
from agents.wallboard import QueueCounters, QueueFigures, Wallboard, day_of, queue_figures
from agents.wrap_up import WrapUp
from callcenter.core.audit import Editor
from callcenter.core.clock import Clock

__all__ = [
    "SYSTEM",
    "Acd",
    "Actorship",
    "NoCallError",
    "NoSuchAgentError",
    "QueueFigures",
    "day_of",
    "queue_figures",
]


class Acd:
    """Presence, queues, offers and calls with agents; every state change is an event with
    its actor."""

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
        outbound_offer_seconds: int | None = None,
        live: tuple[LiveControls, LiveStates],
        recovery: tuple[OpenCalls, Epoch] | None = None,
        ends: CallEnds | None = None,  # issue 17: the reconciler's batch reads of SQL
    ) -> None:
        self._state = state
        self._book = QueueBook(queues)
        self._roster = Roster(directory, self._book)
        self._router = Router(state, self._book, {}, offer_seconds=offer_seconds)
        self._presence = PresenceService(state, directory, self._roster, clock)
        counters = QueueCounters(state, self._roster, timezone)
        self._queueing = Queueing(
            state,
            self._roster,
            self._presence,
            counters,
            calls=calls,
            callbacks=callbacks,
            bridge=bridge,
        )
        self._offers = Offers(
            state,
            self._roster,
            self._presence,
            counters,
            self._router,
            bridge=bridge,
            calls=calls,
            pops=pops,
            callbacks=callbacks,
            offer_seconds=offer_seconds,
            outbound_offer_seconds=outbound_offer_seconds,
        )
        self.seats = Seats(
            state,
            self._roster,
            self._presence,
            self._queueing,
            self._offers,
            bridge=bridge,
            calls=calls,
        )
        self._wrap_up = WrapUp(
            state, self._roster, self._presence, self._queueing, bridge=bridge, calls=calls
        )
        self._wallboard = Wallboard(state, self._roster, self._presence, counters)
        controls, lives = live
        parts = LiveParts(state, self._roster, self._presence, controls, lives, calls)
        self.live = LiveCenter(
            parts, leave=self._wrap_up.handed_over, now=clock.now, record_policy=self.records
        )
        self._offers.connected = self.live.started
        self._recovery = (
            None
            if recovery is None
            else Recovery(
                state,
                self._roster,
                self._presence,
                directory,
                open_calls=recovery[0],
                epoch=recovery[1],
                now=clock.now,
            )
        )
        self._reconciler = Reconciler(
            state,
            self._presence,
            calls=calls,
            bridge=bridge,
            call_ended=self.call_ended,
            ends=ends,
        )

    def records(self, queue: str) -> bool:
        """Whether the queue's calls are recorded (its `record_calls`)."""
        return queue in self._book and self._book[queue].record_calls

    # -- set-up -------------------------------------------------------------------------------

    @property
    def queues(self) -> QueueBook:
        """The queues' rules by name (replace them with `queues.replace(configs)`)."""
        return self._book

    async def refresh_agents(self) -> None:
        """Reload agents, skills and memberships from SQL (at start, then periodically)."""
        self._router.update_profiles(await self._roster.refresh())
        await self._state.sync_logged_in(self._roster.ids())

    def set_queues(self, queues: Mapping[str, QueueConfig]) -> None:
        """Route with these queues from now on (their settings were changed at run time);
        `ValueError` leaves the old ones."""
        self._book.replace(queues.values())

    def agent(self, agent_id: int) -> AgentInfo:
        """A configured agent, or `NoSuchAgentError`."""
        return self._roster.agent(agent_id)

    def agents(self) -> list[AgentInfo]:
        """Every configured agent."""
        return self._roster.agents()

    # -- presence -----------------------------------------------------------------------------

    async def presence(self, agent_id: int) -> Presence:
        """The agent's presence now."""
        return await self._presence.presence(agent_id)

    async def presences(self) -> dict[int, Presence]:
        """Every configured agent's presence, in one round trip."""
        return await self._presence.presences()

    async def login(
        self, agent_id: int, actor: Actorship, editor: Editor | None = None
    ) -> Presence:
        """Log in: not ready (system) until the agent says ready; already in: unchanged."""
        return await self._presence.login(agent_id, actor, editor)

    async def set_state(
        self,
        agent_id: int,
        state: str,
        reason: str | None,
        actor: Actorship,
        editor: Editor | None = None,
    ) -> Presence:
        """A hand-set change (ready, not ready with a reason, logged out), audited when an
        `editor` asked for it; an open offer is withdrawn and its call goes back to the head
        of its queue."""
        new, previous = await self._presence.set_state(agent_id, state, reason, actor, editor)
        if previous.state is AgentState.RESERVED and previous.call_id:
            await self._offers.withdraw(previous.call_id, agent_id, "agent-left")
        return new

    # -- calls in queues ----------------------------------------------------------------------

    async def enqueue(self, request: QueueRequest) -> QueuedInfo:
        """A call enters a queue (from the IVR, a transfer, a callback). A campaign call
        whose agent is reserved goes to that agent at once."""
        if request.attempt is not None and await self.seats.connect_reserved(request):
            return QueuedInfo(1, 0.0, False)
        return await self._queueing.enqueue(request)

    async def request_callback(self, call_id: str, phone: str) -> None:
        """The caller asked to be called back: the call keeps its place in line."""
        await self._queueing.request_callback(call_id, phone)

    async def waiting_info(self, call_id: str) -> QueuedInfo | None:
        """Where a waiting call stands: position, estimated wait, the callback offer, the
        max-wait outcome once reached (None: not waiting)."""
        return await self._queueing.waiting_info(call_id)

    async def call_ended(self, call_id: str, reason: str) -> bool:
        """The caller's call is over. True when the call keeps its place for a callback.
        A campaign call that never reached its agent releases the agent (no abandon)."""
        (routed, _), waiting, offered_to, _ = await asyncio.gather(  # the live state forgotten
            self._state.call_data(call_id),
            self._state.waiting_call(call_id),
            self._state.offered_to(call_id),
            self.live.ended(call_id),
        )
        if routed is not None and routed.attempt and waiting is not None:
            await self.seats.release(call_id, reason)
            return False
        return await self._wrap_up.call_ended(call_id, reason, routed, waiting, offered_to)

    async def agent_left(self, call_id: str, agent_id: int, by: str) -> bool:
        """The agent's leg of the call ended (`by`: agent, caller, system, network): the
        talk time ends, the agent goes to wrap-up. False when the agent had left already."""
        return await self._wrap_up.agent_left(call_id, agent_id, by)

    # -- offers -------------------------------------------------------------------------------

    async def route(self) -> int:
        """One routing round: offers made, each with its screen-pop, and bridged."""
        return await self._offers.route()

    async def offer_for(self, call_id: str) -> AgentInfo | None:
        """The agent the call is offered to right now, once the offer is on record."""
        return await self._offers.offer_for(call_id)

    async def ringing(self, call_id: str, agent_id: int) -> bool:
        """The agent's device starts ringing now: the offer's deadline restarts."""
        return await self._offers.ringing(call_id, agent_id)

    async def accept(self, agent_id: int, call_id: str, actor: Actorship) -> Presence:
        """The agent answered the offer (the desk, or the device answered)."""
        return await self._offers.accept(agent_id, call_id, actor)

    async def device_answered(self, call_id: str, agent_id: int) -> bool:
        """The agent's device answered (telephony): the offer is accepted (False: it is no
        longer open, the leg should end)."""
        return await self._offers.device_answered(call_id, agent_id)

    async def agent_on(self, call_id: str) -> int | None:
        """The agent talking on the call now (after a consultation: the consulted one)."""
        return await self.live.agent_on(call_id)

    async def device_unanswered(
        self, call_id: str, agent_id: int, status: str, *, requeue: bool = False
    ) -> bool:
        """The agent's device did not answer: the call back to the head of its queue (and
        the caller put back there, with `requeue`)."""
        return await self._offers.device_unanswered(call_id, agent_id, status, requeue=requeue)

    async def decline(self, agent_id: int, call_id: str) -> None:
        """The agent turned the offer down: the call back to the head of its queue."""
        await self._offers.decline(agent_id, call_id)

    async def expire(self) -> int:
        """The timers of a routing tick: offers past their deadline, timed wrap-ups that
        ended, calls past their queue's maximum wait. How many were handled."""
        return (
            await self._offers.expire()
            + await self._wrap_up.expire()
            + await self._queueing.expire_waits()
        )

    # -- with the call ------------------------------------------------------------------------

    async def hang_up(self, agent_id: int, actor: Actorship) -> str:
        """The agent ends the call: the caller is hung up and the agent goes to wrap-up."""
        return await self._wrap_up.hang_up(agent_id, actor)

    async def transfer(
        self, agent_id: int, *, queue: str | None, to_agent: int | None, actor: Actorship
    ) -> str:
        """Send the call to a queue, or to an agent; the transferring agent wraps up."""
        return await self._wrap_up.transfer(agent_id, queue=queue, to_agent=to_agent, actor=actor)

    async def wrap_up_done(
        self,
        agent_id: int,
        disposition: str,
        notes: str,
        actor: Actorship,
        *,
        not_ready_reason: str | None = None,
    ) -> Presence:
        """Wrap-up finished early, with the disposition and notes."""
        return await self._wrap_up.wrap_up_done(
            agent_id, disposition, notes, actor, not_ready_reason=not_ready_reason
        )

    # -- desks, wallboard, repairs ------------------------------------------------------------

    async def desk_state(self, agent_id: int) -> dict[str, Any]:
        """What a (re)connecting desk needs: the presence and the call's pop, if any."""
        return await self._presence.desk_state(agent_id)

    async def desk_connected(self, agent_id: int) -> None:
        """A desk socket for the agent is open (and alive: called on each heartbeat)."""
        await self._presence.desk_connected(agent_id)

    async def desk_closed(self, agent_id: int) -> None:
        """The agent's last desk socket on this instance closed."""
        await self._presence.desk_closed(agent_id)

    async def realtime(self) -> dict[str, Any]:
        """The wallboard figures: per queue and per agent."""
        return await self._wallboard.realtime()

    async def recover(self) -> bool:
        """Rebuild presence and queues from SQL if Redis lost its data (True when it did)."""
        return self._recovery is not None and await self._recovery.check()

    async def reconcile(self) -> list[str]:
        """Repair drift between shared state, the call records and the switch."""
        return await self._reconciler.reconcile()
