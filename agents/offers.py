"""Offers: a routing round's decisions become offers (the screen-pop to the desk, the call
bridged to the agent's device); then accepted, declined, answered or not by the device,
withdrawn, or expired. Offer expiry lives here and only here. The ring time (the offer's
deadline) restarts when the agent's device actually starts ringing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from agents.models import SYSTEM, Actorship, AgentState, Presence, RoutedCall
from agents.ports import AcdState, AgentInfo, Bridge, CallbackLog, CallEvents, ScreenPops
from agents.presence import NoCallError
from agents.presence_service import PresenceService
from agents.roster import NoSuchAgentError, Roster
from agents.router import Router
from agents.wallboard import QueueCounters

log = logging.getLogger(__name__)
S = AgentState


class Offers:
    """Offers of waiting calls to ready agents, from the claim to the answer or the end."""

    def __init__(
        self,
        state: AcdState,
        roster: Roster,
        presence: PresenceService,
        counters: QueueCounters,
        router: Router,
        *,
        bridge: Bridge,
        calls: CallEvents,
        pops: ScreenPops,
        callbacks: CallbackLog,
        offer_seconds: int,
        outbound_offer_seconds: int | None = None,
    ) -> None:
        self._state = state
        self._roster = roster
        self._presence = presence
        self._counters = counters
        self._router = router
        self._bridge = bridge
        self._calls = calls
        self._pops = pops
        self._callbacks = callbacks
        self._offer_ms = offer_seconds * 1000
        self.connected: Callable[[str, int], Awaitable[None]] | None = None  # the live call
        # A campaign call reserves its agent before the callee rings: the offer lasts the
        # ring time too (and a preview's reading time).
        self._outbound_ms = (outbound_offer_seconds or offer_seconds) * 1000

    async def route(self) -> int:
        """One routing round: offers made, each with its screen-pop, and bridged."""
        now = self._presence.now_ms()
        result = await self._router.route_once(now)
        for assignment in result.offered:
            await self._offer(assignment.call_id, assignment.agent_id, assignment.queue, now)
        return len(result.offered)

    async def _offer(self, call_id: str, agent_id: int, queue: str, now: int) -> None:
        known, _ = await self._state.call_data(call_id)
        routed = (known or RoutedCall()).but(agent_id=agent_id, queue=queue)
        pop = (await self._pops.build(call_id, routed)).to_json()
        await self._presence.announce(
            agent_id, Presence(S.READY, now), Presence(S.RESERVED, now, None, call_id), SYSTEM
        )
        deadline = now + (self._offer_ms if routed.attempt is None else self._outbound_ms)
        if deadline != now + self._offer_ms:
            await self._state.restart_offer(call_id, agent_id, deadline)
        await self._state.publish(
            agent_id, {"type": "offer", "call_id": call_id, "deadline_ms": deadline, "pop": pop}
        )
        offered: dict[str, object] = {"agent_id": agent_id, "queue": queue}
        if routed.attempt is not None and not routed.line.provider_call:  # not dialled yet
            await self._calls.record_event(
                call_id, "note_added", {"kind": "agent_reserved"} | offered
            )
        else:
            await self._calls.record_event(call_id, "offered", offered)
        if routed.callback:
            await self._callbacks.set_status(call_id, "offered", now, agent_id)
        # Written last: a telephony side that watches for it (Asterisk) rings the agent only
        # once the offer is on record.
        await self._state.put_call_data(call_id, routed, pop=pop)
        try:
            rings = await self._bridge.connect(call_id, routed, self._roster.agent(agent_id))
        except Exception:
            log.exception("bridging call %s to agent %d failed: offer withdrawn", call_id, agent_id)
            await self.withdraw(call_id, agent_id, "bridge-failed")
            return
        if rings:
            await self.ringing(call_id, agent_id)

    async def ringing(self, call_id: str, agent_id: int) -> bool:
        """The agent's device starts ringing now: the offer's deadline restarts at now + the
        offer time, and the desk's countdown with it. False when the offer is no longer
        open (answered, withdrawn, expired)."""
        deadline = self._presence.now_ms() + self._offer_ms
        if not await self._state.restart_offer(call_id, agent_id, deadline):
            return False
        await self._state.publish(
            agent_id, {"type": "offer_ringing", "call_id": call_id, "deadline_ms": deadline}
        )
        return True

    async def offer_for(self, call_id: str) -> AgentInfo | None:
        """The agent the call is offered to right now, once the offer is made and recorded
        (the telephony side then rings that agent's device)."""
        agent_id = await self._state.offered_to(call_id)
        if agent_id is None:
            return None
        routed, _ = await self._state.call_data(call_id)
        if routed is None or routed.agent_id != agent_id:
            return None  # the offer is still being made
        return self._roster.find(agent_id)

    async def accept(self, agent_id: int, call_id: str, actor: Actorship) -> Presence:
        """The agent answered the offer (the desk, or the device answered)."""
        self._roster.agent(agent_id)
        now = self._presence.now_ms()
        waiting = await self._state.waiting_call(call_id)
        if not await self._state.accept(call_id, agent_id, now):
            raise NoCallError(f"call {call_id} is not offered to agent {agent_id}")
        if waiting is None:  # accepted before: nothing more to record
            return await self._presence.presence(agent_id)
        new = Presence(S.ON_CALL, now, None, call_id)
        await self._presence.announce(
            agent_id, Presence(S.RESERVED, now, None, call_id), new, actor
        )
        await self._counters.answered(waiting, now)
        await self._calls.record_event(call_id, "agent_connected", {"agent_id": agent_id})
        await self._state.publish(agent_id, {"type": "connected", "call_id": call_id})
        if self.connected is not None:
            await self.connected(call_id, agent_id)
        routed, _ = await self._state.call_data(call_id)
        if routed is not None and routed.callback:
            await self._callbacks.set_status(call_id, "done", now, agent_id)
        return new

    async def device_answered(self, call_id: str, agent_id: int) -> bool:
        """The agent's device answered (telephony): the offer is accepted. False when it
        cannot be (withdrawn, the caller gone): the device's leg should end."""
        try:
            presence = await self.accept(agent_id, call_id, SYSTEM)
        except (NoCallError, NoSuchAgentError) as err:
            log.info("answer of call %s by agent %d ignored: %s", call_id, agent_id, err.message)
            return False
        return presence.call_id == call_id

    async def device_unanswered(
        self, call_id: str, agent_id: int, status: str, *, requeue: bool = False
    ) -> bool:
        """The agent's device did not answer (no answer, busy, failed): the call back to
        the head of its queue; the telephony adapter puts the caller back itself, unless
        `requeue` (the caller is not where the adapter answers: in a conference)."""
        return await self.withdraw(call_id, agent_id, status, bridge=requeue)

    async def decline(self, agent_id: int, call_id: str) -> None:
        """The agent turned the offer down: the call back to the head of its queue."""
        self._roster.agent(agent_id)
        if await self._state.offered_to(call_id) != agent_id:
            raise NoCallError(f"call {call_id} is not offered to agent {agent_id}")
        await self.withdraw(call_id, agent_id, "declined")

    async def withdraw(
        self,
        call_id: str,
        agent_id: int,
        reason: str,
        *,
        bridge: bool = True,
        due_only: bool = False,
    ) -> bool:
        """The offer is off: the call back to the head of its queue, the agent to not ready
        (no answer), the desk told, the caller put back to waiting (`bridge`). With
        `due_only`, only an offer whose deadline has passed (not restarted meanwhile)."""
        now = self._presence.now_ms()
        if not await self._state.requeue_at_head(call_id, agent_id, now, due_only=due_only):
            return False
        after = (await self._state.presences([agent_id]))[agent_id]
        await self._presence.announce(
            agent_id, Presence(S.RESERVED, now, None, call_id), after, SYSTEM
        )
        await self._state.publish(
            agent_id, {"type": "offer_withdrawn", "call_id": call_id, "reason": reason}
        )
        await self._calls.record_event(
            call_id, "offer_withdrawn", {"agent_id": agent_id, "reason": reason}
        )
        routed, _ = await self._state.call_data(call_id)
        if routed is not None:
            await self._state.put_call_data(call_id, routed.but(agent_id=None))
            if bridge:
                await self._bridge.withdraw(call_id, routed)
        log.info("offer of call %s to agent %d withdrawn: %s", call_id, agent_id, reason)
        return True

    async def expire(self) -> int:
        """Offers past their deadline go back to the head of their queue (the agent to not
        ready, no answer). How many."""
        now = self._presence.now_ms()
        done = 0
        for call_id, agent_id in await self._state.expired_offers(now):
            done += await self.withdraw(call_id, agent_id, "no-answer", due_only=True)
        return done
