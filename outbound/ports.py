"""The stores the outbound features need (SQL adapters in `callcenter.storage` implement them).

Attempt transitions are compare-and-set: each names the states it may start from, and a call
that finds the attempt elsewhere changes nothing and returns None, so a repeated webhook or a
second instance can never move an attempt twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from outbound.models import (
    AreaSuspension,
    ArrearsEvent,
    ArrearsSequence,
    ArrearsStep,
    Attempt,
    AttemptResult,
    CampaignCounts,
    CampaignRecord,
    CampaignState,
    ContactCounts,
    NewCampaign,
    RefusalReason,
    Target,
    TargetPreview,
    TargetQuery,
)


class CampaignStore(Protocol):
    """Campaigns and their state."""

    async def create(self, new: NewCampaign, now: datetime) -> CampaignRecord:
        """Store a draft campaign."""

    async def get(self, campaign_id: int) -> CampaignRecord | None:
        """One campaign, or None."""

    async def list_campaigns(self, states: Sequence[CampaignState] = ()) -> list[CampaignRecord]:
        """Campaigns (in `states` when given), highest priority first, then oldest."""

    async def set_state(
        self,
        campaign_id: int,
        to: CampaignState,
        allowed_from: Sequence[CampaignState],
        now: datetime,
    ) -> CampaignRecord:
        """Move the campaign to `to` if it is in one of `allowed_from`, atomically. Raises
        `NoSuchCampaignError`, or `CampaignStateError` naming the state it is in."""


class TargetStore(Protocol):
    """A campaign's targets, chosen by a query. `csv` is the text of the uploaded file for a
    CSV query (its `value` is only the file's name). Query errors raise `InvalidInputError`
    (bad value), `NotFoundError` (no such outage or ticket) or `TargetCsvError` (every
    refused line with its number and reason; then nothing is stored)."""

    async def preview(
        self, query: TargetQuery, now: datetime, sample: int = 10, csv: str | None = None
    ) -> TargetPreview:
        """How many targets `query` finds now and the first `sample` of them; writes
        nothing. The count equals what `build` would store at the same moment."""

    async def build(
        self, campaign_id: int, query: TargetQuery, now: datetime, csv: str | None = None
    ) -> int:
        """Store every target of the campaign and its first attempt (pending, due at `now`)
        in one transaction: all or nothing. Raises `CampaignStateError` when the campaign
        has targets already. Returns how many were stored."""

    async def count(self, campaign_id: int) -> int:
        """How many targets the campaign has."""


class AttemptStore(Protocol):
    """Attempts with their idempotency key `(campaign, target, attempt_no)`."""

    async def claim(
        self, campaign_id: int, limit: int, now: datetime, claimer: str
    ) -> list[tuple[Attempt, Target]]:
        """Take up to `limit` pending attempts due at `now` (oldest due first) for
        `claimer`: each goes to `claimed` and is returned to exactly one claimer, also
        across instances (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one writer on SQLite)."""

    async def release_claims(self, campaign_id: int, now: datetime) -> int:
        """Put every `claimed` (never sent) attempt of the campaign back to pending: for the
        dialer that takes a campaign over after a crash. Returns how many."""

    async def mark_sending(self, attempt_id: int, now: datetime) -> Attempt | None:
        """claimed -> sending, just before the gateway request goes out."""

    async def mark_placed(self, attempt_id: int, provider_id: str, now: datetime) -> Attempt | None:
        """sending -> placed, with the provider's id for the call."""

    async def record_result(
        self,
        attempt_id: int,
        result: AttemptResult,
        now: datetime,
        *,
        reason: RefusalReason | None = None,
        retry_at: datetime | None = None,
    ) -> Attempt | None:
        """claimed, sending or placed -> done with `result` (and the gate's `reason` for a
        refusal). With `retry_at`, the next attempt (attempt_no + 1, pending, due then) is
        created in the same transaction. Returns the finished attempt."""

    async def link_call(self, attempt_id: int, call_id: str) -> None:
        """Record the call record of the attempt (outbound calls link to their attempt)."""

    async def get(self, attempt_id: int) -> tuple[Attempt, Target] | None:
        """One attempt with its target."""

    async def find_by_provider(self, provider_id: str) -> tuple[Attempt, Target] | None:
        """The attempt a provider's call id belongs to (status callbacks, AMI events)."""

    async def find_by_call(self, call_id: str) -> tuple[Attempt, Target] | None:
        """The attempt a call record belongs to."""

    async def stuck_sending(self, campaign_id: int) -> list[tuple[Attempt, Target]]:
        """Attempts left in `sending` (a crash between the request and its answer): to be
        reconciled with the gateway, or recorded `uncertain`; never redialled blindly."""

    async def counts(self, campaign_id: int, now: datetime) -> CampaignCounts:
        """Targets, finished attempts by result, refusals by reason, waiting by why."""

    async def waiting(self, campaign_id: int, now: datetime) -> dict[str, int]:
        """`counts(...).waiting` alone, at a cost that does not grow with the finished
        attempts (what the dialer reads every round)."""


class ContactHistory(Protocol):
    """How often customers were dialled, across every campaign (for the gate's caps)."""

    async def contact_counts(
        self, customer_ids: Sequence[int], day_start: datetime, now: datetime
    ) -> dict[int, ContactCounts]:
        """Per customer: dials since `day_start` (the callee's local midnight), dials in the
        30 days before `now`, and arrears calls since `day_start` not answered by a person.
        Customers never dialled are left out (read them as `ContactCounts()`)."""


class OptOuts(Protocol):
    """Do-not-call numbers, honoured by every campaign at once."""

    async def add(self, phone: str, at: datetime, source: str, customer_id: int | None) -> None:
        """Opt `phone` out (again: keeps the first time)."""

    async def opted_out(self, phones: Sequence[str]) -> set[str]:
        """Which of `phones` are opted out."""

    async def is_opted_out(self, phone: str) -> bool:
        """True when `phone` is opted out."""


class AreaSuspensions(Protocol):
    """Areas where campaigns must not call (storm mode or by hand)."""

    async def add(
        self,
        area: str,
        reason: str,
        from_at: datetime,
        until: datetime | None,
        created_by: str,
    ) -> AreaSuspension:
        """Suspend calls into `area` (open-ended when `until` is None)."""

    async def in_force(self, at: datetime) -> list[AreaSuspension]:
        """Suspensions in force at `at`."""


class ArrearsStore(Protocol):
    """Accounts' places in the arrears procedure, with their history."""

    async def get(self, account_id: int) -> ArrearsSequence | None:
        """The account's sequence, or None when it has none."""

    async def save(
        self,
        sequence: ArrearsSequence,
        event: ArrearsEvent,
        expected: ArrearsStep | None,
    ) -> bool:
        """Store `sequence` and append `event` in one transaction, only if the stored step
        is still `expected` (None: no sequence yet). False (nothing written) otherwise."""

    async def history(self, account_id: int) -> list[ArrearsEvent]:
        """The account's arrears events, oldest first."""


# ---
# What campaign creation needs to know about an outage (the notice lead-time rule).

from dataclasses import dataclass  # noqa: E402


@dataclass(frozen=True, slots=True)
class OutageInfo:
    """An outage as an outage-notice campaign sees it: when it starts, its kind (`planned`,
    `temporary` or `fault`) and whether its customers include important users."""

    start: datetime
    kind: str
    important: bool


class OutageFacts(Protocol):
    """Reads outages for campaign creation."""

    async def outage(self, outage_id: int) -> OutageInfo:
        """The outage's facts. Raises `NotFoundError` (`no-such-outage`) when there is none."""


# --- the outbound call records ---

from outbound.models import Campaign, GatewayKind  # noqa: E402


class OutboundCallLog(Protocol):
    """Outbound calls as call records (direction outbound), linked to their attempt."""

    async def placed(
        self,
        campaign: Campaign,
        attempt: Attempt,
        target: Target,
        provider: GatewayKind,
        provider_id: str,
        caller_id: str,
    ) -> str:
        """Open the call record of an attempt the gateway took; its id (the same record
        when the provider id already has one)."""

    async def opened(
        self, campaign: Campaign, attempt: Attempt, target: Target, caller_id: str
    ) -> str:
        """Open the call record of an attempt that waits for an agent before it is dialled
        (no provider call yet); its id."""

    async def dialled(self, call_id: str, provider: GatewayKind, provider_id: str) -> None:
        """The provider's call of a record opened before dialling."""

    async def finished(self, call_id: str, result: AttemptResult) -> None:
        """The attempt's call is over with `result` (a record already ended is left as is)."""


# ---
# What the arrears use case (outbound/arrears_service.py) reads and writes beside the
# sequence store: the account's facts, the payment ledger, reconnection tickets, the audit log.

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from callcenter.core.audit import AuditEntry, Editor  # noqa: E402
from callcenter.core.errors import NotFoundError  # noqa: E402


class NoSuchAccountError(NotFoundError):
    """No account with that id."""

    default_code = "no-such-account"


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """An account as the arrears procedure sees it now. `arrears` is the unpaid amount of
    bills past their due date; `overdue_since` the oldest such bill's due date (local
    midnight), None when nothing is overdue."""

    account_id: int
    customer_id: int
    important: bool  # an important user (重要电力用户): company-level approval
    vulnerable: bool
    disputed: bool
    area: str  # district, for area suspensions
    arrears: Decimal
    overdue_since: datetime | None


@dataclass(frozen=True, slots=True)
class Payment:
    """A recorded payment; `applied` is the part that settled unpaid bills (oldest first)."""

    id: int
    account_id: int
    amount: Decimal
    paid_at: datetime
    applied: Decimal


@dataclass(frozen=True, slots=True)
class ReconnectionTicket:
    """The service-request ticket that asks for an account's reconnection by `due_at`."""

    id: int
    number: str
    due_at: datetime


class AccountFactsReader(Protocol):
    """Reads accounts for the arrears procedure."""

    async def facts(self, account_id: int, today: date) -> AccountFacts | None:
        """The account's facts on `today` (the utility's local date), or None."""


class PaymentLedger(Protocol):
    """Stores payments."""

    async def record(
        self, account_id: int, amount: Decimal, paid_at: datetime, channel: str
    ) -> Payment:
        """Store a payment and settle the account's unpaid bills with it, oldest due first,
        in one transaction."""


class Reconnections(Protocol):
    """Opens reconnection work orders."""

    async def open(
        self, facts: AccountFacts, due_at: datetime, editor: Editor
    ) -> ReconnectionTicket:
        """A reconnection ticket for the account, due at `due_at`."""


class AuditWriter(Protocol):
    """Appends to the audit log."""

    async def write(self, entry: AuditEntry) -> None:
        """Append one entry."""


# --- batch transitions (one transaction per dialer round, not per call) ---


class BatchAttemptStore(AttemptStore, Protocol):
    """`AttemptStore` with the dialer's batch moves; each is the same compare-and-set as its
    one-attempt form, applied to many attempts in one transaction."""

    async def mark_sending_many(self, attempt_ids: Sequence[int], now: datetime) -> list[Attempt]:
        """claimed or queued -> sending for each of `attempt_ids`; the attempts moved (the
        others were no longer there and are left alone)."""

    async def mark_queued_many(self, attempt_ids: Sequence[int], now: datetime) -> list[Attempt]:
        """claimed -> queued (waiting in the agent queue for an agent); the attempts moved."""

    async def reserve_agent(self, attempt_id: int, agent_id: int, now: datetime) -> Attempt | None:
        """A queued attempt's reserved agent; None when it is not queued any more."""

    async def unqueue(self, attempt_id: int, now: datetime) -> bool:
        """queued -> pending (due now; its call record kept for the next time in line)."""

    async def queued(self, campaign_id: int) -> list[tuple[Attempt, Target]]:
        """The campaign's attempts waiting in line for an agent."""

    async def results_since(self, campaign_id: int, since: datetime) -> dict[str, int]:
        """Attempts done at or after `since`, by result (predictive pacing)."""

    async def mark_placed_many(
        self, placed: Sequence[tuple[int, str]], now: datetime
    ) -> list[Attempt]:
        """sending -> placed for each (attempt id, provider id); the attempts moved."""

    async def link_calls(self, links: Sequence[tuple[int, str]]) -> None:
        """Record the call record of each (attempt id, call id)."""
