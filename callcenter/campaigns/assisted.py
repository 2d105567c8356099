"""Agent-assisted campaign calls on the ACD, written once for every provider: the agent
reserved for a call before it is dialled (progressive dials at once, preview waits for the
agent's dial or skip), the callee's answer (to the reserved agent; a predictive call takes a
ready agent now or is abandoned), and the agents of the campaigns' queues for the dialer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from agents.center import Acd
from agents.models import SYSTEM, CallerLine, Presence, Priority, QueueRequest, RoutedCall
from agents.ports import AgentInfo, Bridge
from agents.presence import NoCallError
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.campaigns.callbacks import CallbackCalls
from callcenter.campaigns.runtime import Outbound
from outbound.assisted import AgentLoad, Seat, has_agents, queue_of
from outbound.dialer_parts import campaign_of
from outbound.models import (
    AttemptResult,
    Campaign,
    CampaignMode,
    NoSuchCampaignError,
    Target,
)

log = logging.getLogger(__name__)
ANSWERED = frozenset({AttemptResult.ANSWERED, AttemptResult.CONFIRMED})


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def seat_request(seat: Seat) -> QueueRequest:
    """A held campaign call as the ACD queues it: the campaign's priority, the callee as
    the line (no provider call until it is dialled), the attempt key."""
    line = CallerLine(
        caller=seat.phone,
        called=seat.caller_id,
        account_no=seat.account_no or None,
        customer_id=seat.customer_id,
        account_id=seat.account_id,
    )
    return QueueRequest(
        seat.call_id, seat.queue, Priority.parse(seat.priority), line=line, attempt=seat.key
    )


class AcdSeats:
    """`outbound.assisted.AgentSeats` on the ACD."""

    def __init__(self, acd: Acd) -> None:
        self._acd = acd

    async def free(self, queue: str) -> int:
        return await self._acd.seats.free(queue)

    async def ready(self, queue: str) -> int:
        return await self._acd.seats.ready(queue)

    async def load(self, queue: str, now: datetime) -> AgentLoad:
        ready, ends, starts = await self._acd.seats.load(queue)
        return AgentLoad(ready, tuple(map(_at, ends)), tuple(map(_at, starts)))

    async def hold(self, seat: Seat) -> None:
        await self._acd.seats.hold(seat_request(seat))

    async def holding(self, call_id: str) -> bool:
        return await self._acd.seats.waiting(call_id) is not None


class AssistedCalls:
    """The use cases of agent-assisted campaign calls."""

    def __init__(self, outbound: Outbound, acd: Acd, calls: CallService) -> None:
        self._outbound = outbound
        self._acd = acd
        self._calls = calls

    @property
    def acd(self) -> Acd:
        """The ACD the calls' agents are on."""
        return self._acd

    async def presence(self, agent_id: int) -> Presence:
        """The agent's presence now."""
        return await self._acd.presence(agent_id)

    async def _campaign(self, key: str | None) -> Campaign | None:
        campaign_id = campaign_of(key or "")
        if campaign_id is None:
            return None
        try:
            return (await self._outbound.campaigns.get(campaign_id)).campaign
        except NoSuchCampaignError:
            return None

    async def reserved(self, call_id: str, call: RoutedCall, agent_id: int) -> None:
        """The router reserved `agent_id` for a held call: a progressive call is dialled
        now; a preview waits for the agent. A call that cannot be dialled leaves the line."""
        campaign = await self._campaign(call.attempt)
        if campaign is None:
            await self._acd.seats.release(call_id, "no-such-campaign")
            return
        if campaign.mode is CampaignMode.PREVIEW:
            return
        await self._dial(campaign, call_id, agent_id)

    async def _dial(self, campaign: Campaign, call_id: str, agent_id: int) -> None:
        dialer = await self._outbound.dialer(campaign.id)
        if not await dialer.dial_reserved(call_id, agent_id):
            await self._acd.seats.release(call_id, "not-dialled")

    async def preview_decided(
        self, agent_id: int, call_id: str, *, dial: bool, reason: str = ""
    ) -> None:
        """The agent reserved for a previewed call dials it or skips it (`reason`)."""
        call = await self._acd.seats.is_outbound(call_id)
        campaign = await self._campaign(call.attempt if call else None)
        if (
            call is None
            or campaign is None
            or campaign.mode is not CampaignMode.PREVIEW
            or call.line.provider_call
            or await self._acd.seats.reserved_for(call_id) != agent_id
        ):
            raise NoCallError(f"no preview {call_id} for agent {agent_id}", code="no-such-preview")
        if dial:
            await self._dial(campaign, call_id, agent_id)
            return
        dialer = await self._outbound.dialer(campaign.id)
        if not await dialer.skip(call_id, agent_id, reason):
            await self._acd.seats.release(call_id, "skipped")
        note = {"kind": "preview_skipped", "agent_id": agent_id, "reason": reason}
        await self._calls.record(call_id, CallEventType.NOTE_ADDED, note)

    async def answered(
        self, campaign: Campaign, call_id: str, target: Target, line: CallerLine, key: str
    ) -> int | None:
        """The callee answered a call of an agent-assisted campaign: the agent reserved for
        it, or (predictive) a ready agent taken now; None: no agent (an abandon)."""
        agent_id = await self._acd.seats.reserved_for(call_id)
        if agent_id is not None or campaign.mode is not CampaignMode.PREDICTIVE:
            return agent_id
        request = QueueRequest(
            call_id,
            queue_of(campaign),
            Priority.IMPORTANT,  # a person is on the line now: ahead of the callers waiting
            line=line,
            attempt=key,
        )
        return await self._acd.seats.reserve_now(request)

    async def simulated(self, key: str, result: AttemptResult, provider_id: str) -> AttemptResult:
        """A simulated call's result (the simulated gateway has no media): answered by a
        person in an agent-assisted campaign, the reserved (or a free) agent takes it and
        it ends at once; no agent free for a predictive call is an abandon."""
        campaign = await self._campaign(key)
        if result not in ANSWERED or campaign is None or not has_agents(campaign):
            return result
        dialer = await self._outbound.dialer(campaign.id)
        found = await dialer.connected(key, provider_id)
        if found is None or found[0].call_id is None:
            return result
        call_id, target = found[0].call_id, found[1]
        line = CallerLine(
            target.phone,
            provider=campaign.gateway.value,
            provider_call=provider_id,
            customer_id=target.customer_id,
            account_id=target.account_id,
        )
        agent_id = await self.answered(campaign, call_id, target, line, key)
        if agent_id is None:
            return AttemptResult.ABANDONED
        try:
            await self._acd.accept(agent_id, call_id, SYSTEM)
        except NoCallError as err:
            log.warning("simulated call %s: agent %d not connected: %s", call_id, agent_id, err)
        return AttemptResult.ANSWERED


class AssistedBridge:
    """`agents.ports.Bridge`: a campaign call not dialled yet has no provider leg (its
    reserved agent starts the dial, see `AssistedCalls.reserved`); every other call goes to
    its provider's bridge."""

    def __init__(self, inner: Bridge) -> None:
        self._inner = inner
        self.calls: AssistedCalls | None = None  # bound once outbound is built
        self.callbacks: CallbackCalls | None = None

    @staticmethod
    def _held(call: RoutedCall) -> bool:
        """Not dialled yet: a campaign call, or a callback (the caller's leg is over)."""
        return call.callback or (call.attempt is not None and not call.line.provider_call)

    async def connect(self, call_id: str, call: RoutedCall, agent: AgentInfo) -> bool:
        if not self._held(call):
            return await self._inner.connect(call_id, call, agent)
        if call.callback and self.callbacks is not None:
            await self.callbacks.reserved(call_id, call, agent.agent_id)
        elif self.calls is not None:
            await self.calls.reserved(call_id, call, agent.agent_id)
        return False

    async def withdraw(self, call_id: str, call: RoutedCall) -> None:
        if not self._held(call):
            await self._inner.withdraw(call_id, call)

    async def hang_up(self, call_id: str, call: RoutedCall) -> None:
        if not self._held(call):
            await self._inner.hang_up(call_id, call)

    async def interrupt(self, call_id: str, call: RoutedCall) -> None:
        if not self._held(call):
            await self._inner.interrupt(call_id, call)

    async def is_live(self, call: RoutedCall) -> bool | None:
        return None if self._held(call) else await self._inner.is_live(call)
