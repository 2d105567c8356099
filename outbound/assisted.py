"""Agent-assisted campaigns: which agent queue a campaign's calls go to, how many calls a
round may start for its agents, and the calls that wait in line for an agent to be reserved
before they are dialled (progressive and preview; predictive calls are dialled first and
take an agent at the answer).

Progressive: one call per ready agent of the queue not wanted by a caller already waiting
there. Preview: the same, and the reserved agent reads the record, then dials or skips."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from outbound.gate import ARREARS_TYPES
from outbound.models import (
    AGENT_MODES,
    Attempt,
    Campaign,
    CampaignMode,
    CampaignType,
    GatewayKind,
    Target,
)
from outbound.ports import BatchAttemptStore, OutboundCallLog
from outbound.predictive import PacingDecision

HELD_MODES = frozenset({CampaignMode.PROGRESSIVE, CampaignMode.PREVIEW})  # agent first
DEFAULT_QUEUE = "general"
TYPE_QUEUES = {t: "billing" for t in ARREARS_TYPES} | {
    CampaignType.BILL_REMINDER: "billing",
    CampaignType.LOW_BALANCE: "billing",
    CampaignType.ZERO_BALANCE: "billing",
}


def queue_of(campaign: Campaign) -> str:
    """The agent queue of a campaign's calls: its own, else its type's."""
    return campaign.queue or TYPE_QUEUES.get(campaign.type, DEFAULT_QUEUE)


def has_agents(campaign: Campaign) -> bool:
    """Every answered call of the campaign goes to an agent."""
    return campaign.mode in AGENT_MODES


@dataclass(frozen=True, slots=True)
class Seat:
    """A campaign call that waits in its agent queue for an agent to be reserved, before it
    is dialled: its call record, attempt key, queue and priority (the campaign's), the
    callee's line, and the customer it is for."""

    call_id: str
    key: str
    queue: str
    priority: int
    phone: str
    caller_id: str
    gateway: GatewayKind
    customer_id: int
    account_id: int
    account_no: str


@dataclass(frozen=True, slots=True)
class AgentLoad:
    """A queue's agents now: ready, the wrap-ups under way (their ends) and the calls under
    way (their starts)."""

    ready: int
    wrap_up_ends: tuple[datetime, ...] = ()
    call_starts: tuple[datetime, ...] = ()


class AgentSeats(Protocol):
    """The agents of the campaigns' queues (the ACD)."""

    async def free(self, queue: str) -> int:
        """Ready agents of `queue` not wanted by a call waiting there."""

    async def ready(self, queue: str) -> int:
        """Ready agents of `queue` now."""

    async def load(self, queue: str, now: datetime) -> AgentLoad:
        """The queue's agents now (predictive pacing)."""

    async def hold(self, seat: Seat) -> None:
        """Put the call in line; the router reserves an agent for it."""

    async def holding(self, call_id: str) -> bool:
        """The call is in line or offered (its place is known to the ACD)."""


async def held_limit(seats: AgentSeats | None, campaign: Campaign, limit: int) -> int:
    """How many calls a progressive or preview round may start: no more than the agents
    free for them (none without an ACD)."""
    if seats is None:
        return 0
    return min(limit, await seats.free(queue_of(campaign)))


class Pacer(Protocol):
    """Predictive pacing (`outbound.predictive_dialing.PredictivePacer`)."""

    async def decide(self, campaign: Campaign, ringing: int, now: datetime) -> PacingDecision:
        """How many calls to place now."""


async def agent_limit(
    seats: AgentSeats | None,
    pacer: Pacer | None,
    campaign: Campaign,
    limit: int,
    waiting: Mapping[str, int],
    now: datetime,
) -> int:
    """The calls a round may start for the campaign's agents: progressive and preview, one
    per free agent; predictive, as its pacing decides (`waiting`: the attempts by state,
    see `AttemptStore.waiting`); other modes, `limit` as it is."""
    if campaign.mode in HELD_MODES:
        return await held_limit(seats, campaign, limit)
    if campaign.mode is CampaignMode.PREDICTIVE:
        if pacer is None:
            return 0
        ringing = waiting.get("sending", 0) + waiting.get("placed", 0)
        return min(limit, (await pacer.decide(campaign, ringing, now)).calls)
    return limit


async def hold_for_agents(
    seats: AgentSeats | None,
    attempts: BatchAttemptStore,
    calls: OutboundCallLog | None,
    campaign: Campaign,
    allowed: list[tuple[Attempt, Target]],
    now: datetime,
    caller_id: str,
    gateway: GatewayKind,
) -> int:
    """The allowed attempts to `queued` (one transaction), each with its call record
    opened, then in line for an agent. How many were put in line."""
    if seats is None or calls is None:
        raise RuntimeError(f"campaign {campaign.id} needs agents: no ACD on this dialer")
    moved = {a.id for a in await attempts.mark_queued_many([a.id for a, _ in allowed], now)}
    mine = [(a, t) for a, t in allowed if a.id in moved]
    # a call record is opened once per attempt: one queued before (and put back) keeps its own
    links = [(a.id, a.call_id or await calls.opened(campaign, a, t, caller_id)) for a, t in mine]
    await attempts.link_calls(links)
    queue = queue_of(campaign)
    for (attempt, target), (_, call_id) in zip(mine, links, strict=True):
        key = f"{attempt.campaign_id}:{attempt.target_id}:{attempt.attempt_no}"
        seat = Seat(
            call_id,
            key,
            queue,
            campaign.priority,
            target.phone,
            caller_id,
            gateway,
            target.customer_id,
            target.account_id,
            target.values.get("account_no", ""),
        )
        await seats.hold(seat)
    return len(mine)


async def unqueue_lost(
    seats: AgentSeats | None, attempts: BatchAttemptStore, campaign_id: int, now: datetime
) -> int:
    """Queued attempts whose place in line is lost (Redis emptied, the campaign paused while
    they waited) go back to pending, to be queued again. How many."""
    if seats is None:
        return 0
    back = 0
    for attempt, _ in await attempts.queued(campaign_id):
        if attempt.call_id is None or not await seats.holding(attempt.call_id):
            back += await attempts.unqueue(attempt.id, now)
    return back
