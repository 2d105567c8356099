"""What routing needs from shared state (implemented on Redis by `callcenter.state.acd`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from agents.models import (
    AgentState,
    Assignment,
    CallerLine,
    Presence,
    PresenceEvent,
    RoutedCall,
    VoiceToken,
    WaitingCall,
)
from agents.pop import ScreenPop
from callcenter.core.audit import AuditEntry


class ClaimResult(StrEnum):
    """How an atomic claim ended; the last two are lost races: choose again."""

    CLAIMED = "claimed"
    AGENT_NOT_READY = "agent-not-ready"
    CALL_GONE = "call-gone"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a routing round decides on: the ready agents (agent id -> idle since, ms; valid
    until the next snapshot), the agents whose readiness changed since this instance's
    previous snapshot (None: any of them, the view was loaded afresh) and the first waiting
    calls of each queue."""

    ready: Mapping[int, int]
    changed: frozenset[int] | None
    waiting: list[WaitingCall]


@dataclass(frozen=True, slots=True)
class SeenWaiting:
    """A waiting call as read just before its caller hung up: its queue, and the agent it
    was offered to then (None: not offered). The abandon checks it and reads again when the
    offer moved meanwhile."""

    queue: str
    offered_to: int | None


class RoutingState(Protocol):
    """Queues, ready agents and offers, shared by every server instance."""

    async def enqueue(self, call: WaitingCall, routed: RoutedCall | None = None) -> None:
        """Put the call in its queue (again: keeps its place if it is already there), with
        its routing data (`routed`: written in the same transaction, before the call can be
        seen in line)."""

    async def snapshot(self, queues: Sequence[str], limit: int) -> Snapshot:
        """In one round trip: the ready agents, what changed among them, and the first
        `limit` waiting calls of each queue."""

    async def set_ready(self, agent_id: int, idle_since_ms: int) -> None:
        """The agent is ready to take a call."""

    async def claim(
        self, assignments: Sequence[Assignment], now_ms: int, offer_ms: int
    ) -> list[ClaimResult]:
        """Claim each agent and call together, atomically one by one; an offer open until
        `now_ms + offer_ms`."""

    async def expired_offers(self, now_ms: int) -> list[tuple[str, int]]:
        """Offers past their deadline: (call id, agent id)."""

    async def requeue_at_head(
        self, call_id: str, agent_id: int, now_ms: int, *, due_only: bool = False
    ) -> bool:
        """An offer that is off: the call back to the head of its priority in its queue,
        the agent to not ready (no answer). False when the offer was no longer open (with
        `due_only`, also when its deadline was moved past `now_ms` meanwhile)."""

    async def restart_offer(self, call_id: str, agent_id: int, deadline_ms: int) -> bool:
        """The agent's device starts ringing: the offer's deadline becomes `deadline_ms`,
        atomically, if the call is still offered to that agent (False otherwise)."""

    async def abandon(
        self, call_id: str, now_ms: int, seen: SeenWaiting | None = None
    ) -> int | None:
        """The caller hung up while queued or offered: forget the call, withdraw its offer
        (the agent back to ready). Returns the agent whose offer was withdrawn, if any.
        `seen`: the call as the caller read it already (saves a round trip when the offer
        has not moved since)."""


@dataclass(frozen=True, slots=True)
class QueueNow:
    """A queue at this moment: calls waiting, the oldest enqueue time, today's counters
    (entered, answered, answered_in_sl, answer_wait_ms, abandoned, short_abandoned,
    abandon_wait_ms)."""

    waiting: int
    oldest_enqueued_ms: int | None
    counters: Mapping[str, int] = field(default_factory=dict)


class AcdState(RoutingState, Protocol):
    """Routing plus presence, call data, counters and the desks' fan-out (one Redis)."""

    async def set_presence(
        self,
        agent_id: int,
        allowed: Iterable[AgentState],
        new: Presence,
        wrap_up_until_ms: int | None = None,
        *,
        call_id: str | None = None,
    ) -> tuple[bool, Presence]:
        """Compare-and-set: apply `new` only while the agent is in one of the `allowed`
        states (and, given `call_id`, with that call); ready agents join the ready set,
        others leave it. (applied, previous)."""

    async def presences(self, agent_ids: Sequence[int]) -> dict[int, Presence]:
        """Each agent's presence (logged out when never seen)."""

    async def logged_in(self, agent_ids: Sequence[int]) -> int:
        """How many of `agent_ids` are logged in (in any state), in one read."""

    async def sync_logged_in(self, agent_ids: Sequence[int]) -> None:
        """Make what `logged_in` counts agree with each agent's presence (at start, then
        with each reload of the agents)."""

    async def accept(self, call_id: str, agent_id: int, now_ms: int) -> bool:
        """The offer answered: the call leaves routing, the agent is on the call. True also
        when it was already accepted by this agent."""

    async def offered_to(self, call_id: str) -> int | None:
        """The agent the call is offered to now."""

    async def waiting_call(self, call_id: str) -> WaitingCall | None:
        """The routing data of a queued or offered call."""

    async def waiting_count(self, queue: str) -> int:
        """How many calls wait in `queue` now (offered ones excluded)."""

    async def position(self, call_id: str, queue: str) -> int | None:
        """1 for the next call served in `queue`; None when the call is not waiting there."""

    async def routed_calls(self) -> list[str]:
        """Every call queued or offered."""

    async def wrap_ups_due(self, now_ms: int) -> list[int]:
        """Agents whose timed wrap-up has ended."""

    async def put_call_data(
        self,
        call_id: str,
        call: RoutedCall | None = None,
        pop: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep a call's line and handling, and its screen-pop, while it is handled."""

    async def call_data(self, call_id: str) -> tuple[RoutedCall | None, dict[str, Any] | None]:
        """(the routed call, its pop)."""

    async def forget_call(self, call_id: str) -> None:
        """Drop a call's routing data, pop and max-wait mark (its handling is over)."""

    async def overdue_waits(self, cutoffs: Mapping[str, int], limit: int) -> list[WaitingCall]:
        """Calls waiting (not offered) in each queue since `cutoffs[queue]` (ms) or longer
        whose maximum wait has not been handled yet; at most `limit`."""

    async def mark_max_wait(self, call_id: str, outcome: str) -> bool:
        """Note that the call's maximum wait is handled; False when it already was (by
        this or another instance): the outcome is applied once per call."""

    async def move_call(self, call: WaitingCall, from_queue: str) -> bool:
        """Move a waiting call to `call.queue` keeping its priority and enqueue time;
        False when it is no longer waiting in `from_queue` (offered, gone)."""

    async def count(self, queue: str, day: str, increments: Mapping[str, int]) -> None:
        """Add to a queue's counters of the day."""

    async def queues_now(self, queues: Sequence[str], day: str) -> dict[str, QueueNow]:
        """Each queue now, with the day's counters."""

    async def desk_seen(self, agent_id: int, now_ms: int) -> None:
        """The agent's desk is connected (a heartbeat)."""

    async def desk_gone(self, agent_id: int, now_ms: int) -> None:
        """The agent's desk disconnected at `now_ms`."""

    async def desks(self) -> dict[int, int]:
        """Desks: agent id -> last heartbeat (ms), or minus the time it closed."""

    async def publish(self, agent_id: int, message: Mapping[str, Any]) -> None:
        """Send a message to the agent's desk, whichever instance holds its socket."""

    # -- issue 17 (reconciler): batch reads ---------------------------------------------------
    async def routed_data(self, call_ids: Sequence[str]) -> dict[str, RoutedCall]:
        """The routing data of each of `call_ids` that has some, in one round trip."""


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """An agent as configured: name, device, skills and queue memberships with levels."""

    agent_id: int
    username: str
    display_name: str
    device_kind: str  # twilio_client, sip, phone, webrtc
    device_address: str
    languages: frozenset[str]
    skills: Mapping[str, int]
    queues: Mapping[str, int]
    enabled: bool = True  # a disabled agent cannot log in and is never routed to


class AgentDirectory(Protocol):
    """Agents as stored in SQL, and their presence history."""

    async def agents(self) -> list[AgentInfo]:
        """Every agent, by id (disabled ones too, with `enabled` false)."""

    async def record(
        self, events: Sequence[PresenceEvent], audit: Sequence[AuditEntry] = ()
    ) -> None:
        """Append presence events, and the audit entries of the changes people asked for
        (in one transaction)."""

    async def history(self, agent_id: int, limit: int) -> list[PresenceEvent]:
        """The agent's latest presence events, newest first."""


class Bridge(Protocol):
    """The telephony side of an offer (Twilio REST; Asterisk in its own adapter)."""

    async def connect(self, call_id: str, call: RoutedCall, agent: AgentInfo) -> bool:
        """Ring the agent's device and bridge the waiting caller to it on answer. True when
        the device starts ringing now (the offer's ring time starts); False when it rings
        later (the telephony side then calls `Acd.ringing`) or not at all (desk only)."""

    async def withdraw(self, call_id: str, call: RoutedCall) -> None:
        """The offer is off (declined, timed out): the caller goes back to waiting."""

    async def hang_up(self, call_id: str, call: RoutedCall) -> None:
        """End the caller's call."""

    async def interrupt(self, call_id: str, call: RoutedCall) -> None:
        """The waiting caller must hear something now (the queue's maximum wait passed:
        `call.max_wait` says what): take the caller out of the hold music to the point
        where `Acd.waiting_info` is asked again."""

    async def is_live(self, call: RoutedCall) -> bool | None:
        """Whether the provider's call is still up (None: cannot tell)."""


class CallEvents(Protocol):
    """The call record (`callcenter.calls.service.CallService`)."""

    async def record_event(self, call_id: str, type: str, data: Mapping[str, Any]) -> None:
        """Append one event to the call's record."""

    async def has_ended(self, call_id: str) -> bool:
        """Whether the call record has reached an end."""


class ScreenPops(Protocol):
    """Builds what the desk shows when a call is offered."""

    async def build(self, call_id: str, call: RoutedCall) -> ScreenPop:
        """The caller's profile, the IVR path and keys, the queue and the wait."""


class CallbackLog(Protocol):
    """Pending callbacks, kept in SQL."""

    async def request(self, call_id: str, phone: str, queue: str, at_ms: int) -> None:
        """Record that the caller asked to be called back (idempotent per call)."""

    async def set_status(self, call_id: str, status: str, at_ms: int, agent_id: int | None) -> None:
        """offered, done or dropped."""


class VoiceTokens(Protocol):
    """Issues voice access tokens (the Twilio adapter implements it)."""

    def issue(self, identity: str) -> VoiceToken:
        """A new token for `identity`, valid from now for the configured time."""


# -- issue 17 (reconciler): which calls have ended, by batch ---------------------------------
class CallEnds(Protocol):
    """The call records, read by batch (`callcenter.storage.call_ends`)."""

    async def ended_among(self, call_ids: Sequence[str]) -> set[str]:
        """Those of `call_ids` whose record has reached an end, in one query."""

    async def in_ivr(
        self, since: datetime, before: datetime, limit: int
    ) -> list[tuple[str, CallerLine]]:
        """Inbound calls still in the IVR (ringing or ivr, not ended) that started in
        [`since`, `before`), oldest first, at most `limit`, with their provider lines: one
        query. A server killed mid-call leaves them so when the call's end is lost."""
