"""Outbound campaigns as the dialer, the gate and the stores see them: campaign types, targets,
attempts with their explicit states and results, refusals with their reasons, and the
arrears procedure's steps (all immutable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class CampaignType(StrEnum):
    """What a campaign tells people; each type has a message flow in `ivr_flows/flows/`."""

    OUTAGE_NOTICE = "outage-notice"  # planned / temporary / fault outage ahead or under way
    RESTORATION_NOTICE = "restoration-notice"
    ETR_UPDATE = "etr-update"
    BILL_REMINDER = "bill-reminder"
    LOW_BALANCE = "low-balance"  # prepaid
    ZERO_BALANCE = "zero-balance"  # prepaid
    ARREARS_REMINDER = "arrears-reminder"  # 催交
    DISCONNECTION_NOTICE = "disconnection-notice"  # 3-7 days before the cut
    RE_NOTICE = "re-notice"  # 30 minutes before the cut
    SATISFACTION_CALLBACK = "satisfaction-callback"  # 回访 after a ticket


class CampaignState(StrEnum):
    """Where a campaign is."""

    DRAFT = "draft"  # created, targets may be previewed
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"  # every target has a final result
    CANCELLED = "cancelled"


class GatewayKind(StrEnum):
    """Who places the calls."""

    SIMULATED = "simulated"  # in-process, scripted outcomes (the embedded default)
    TWILIO = "twilio"
    ASTERISK = "asterisk"


class TargetQueryKind(StrEnum):
    """How a campaign's targets are chosen."""

    OUTAGE = "outage"  # outage id: its feeders and service points -> accounts
    BILLS_DUE = "bills-due"  # bills due within N days
    ARREARS_OVER = "arrears-over"  # arrears older than N days
    BALANCE_BELOW = "balance-below"  # prepaid balance below N yuan
    TICKET = "ticket"  # the customer of a ticket (satisfaction callback)
    CSV = "csv"  # uploaded account numbers


@dataclass(frozen=True, slots=True)
class TargetQuery:
    """`kind` and its argument as given (`outage:12`, `bills-due:3`, `csv:<file>`)."""

    kind: TargetQueryKind
    value: str


class AttemptState(StrEnum):
    """An attempt's life; `sending` closes the gap where a crash could dial twice: an
    attempt found there after a crash is reconciled with the gateway, or left `uncertain`
    for a person, never redialled automatically."""

    PENDING = "pending"
    CLAIMED = "claimed"  # taken by one dialer (idempotency key held)
    SENDING = "sending"  # the gateway request is going out
    PLACED = "placed"  # the gateway took it (provider id known)
    DONE = "done"  # a result is in


class AttemptResult(StrEnum):
    """How an attempt ended."""

    CONFIRMED = "confirmed"  # the callee pressed the confirm key: delivery evidence
    ANSWERED = "answered"
    MACHINE = "machine"  # answering machine / fax / not sure: the neutral message only
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    REFUSED = "refused"  # by the compliance gate, with a reason
    UNCERTAIN = "uncertain"  # a crash while sending, and the gateway does not know it
    OPTED_OUT = "opted_out"  # the callee pressed the stop key


FINAL_RESULTS = frozenset(
    {
        AttemptResult.CONFIRMED,
        AttemptResult.ANSWERED,
        AttemptResult.REFUSED,
        AttemptResult.UNCERTAIN,
        AttemptResult.OPTED_OUT,
    }
)  # no retry after these; busy, no answer, failed and machine may be retried per policy


class RefusalReason(StrEnum):
    """Why the gate refused a dial (stable codes: counted, exported, shown)."""

    OUTSIDE_WINDOW = "outside-window"  # callee-local calling hours
    OPTED_OUT = "opted-out"  # do-not-call, across campaigns
    DAILY_CAP = "daily-cap"  # frequency cap per customer per day
    MONTHLY_CAP = "monthly-cap"  # frequency cap per customer per 30 days
    ARREARS_UNANSWERED_CAP = "arrears-unanswered-cap"  # cn: 6 unanswered arrears calls a day
    AREA_SUSPENDED = "area-suspended"  # storm mode or a hand-set suspension
    VULNERABLE = "vulnerable"  # protected customer (arrears, disconnection)
    DISPUTED_BILL = "disputed-bill"
    HOLIDAY = "holiday"  # arrears steps on public holidays
    SEQUENCE = "sequence"  # the arrears procedure does not allow this step now


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign as stored."""

    id: int
    name: str
    type: CampaignType
    state: CampaignState
    gateway: GatewayKind
    query: TargetQuery
    created_by: int | None
    created_at: datetime
    start_at: datetime | None = None
    end_at: datetime | None = None
    priority: int = 0  # higher runs first when campaigns compete for lines
    max_attempts: int = 3
    sms: bool = False  # also text the notice (notice types)


@dataclass(frozen=True, slots=True)
class Target:
    """One person to reach in a campaign: the customer, the account and the number, with
    the values the message speaks (amounts with the late fee to date, outage window, ETR)."""

    id: int
    campaign_id: int
    customer_id: int
    account_id: int
    phone: str  # E.164, the customer's preferred number
    values: dict[str, str] = field(default_factory=dict)
    vulnerable: bool = False
    area: str = ""  # district, for area suspensions and the calling window
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class Attempt:
    """One dial of one target; `(campaign_id, target_id, attempt_no)` is unique."""

    id: int
    campaign_id: int
    target_id: int
    attempt_no: int
    state: AttemptState
    result: AttemptResult | None = None
    reason: RefusalReason | None = None
    provider_id: str | None = None  # Twilio CallSid, Asterisk ActionID/Uniqueid
    call_id: str | None = None  # the call record
    not_before: datetime | None = None  # a retry's earliest time
    updated_at: datetime | None = None


class ArrearsStep(StrEnum):
    """The legal disconnection procedure for arrears (no step skippable)."""

    OVERDUE = "overdue"  # more than 30 days overdue
    REMINDED = "reminded"  # a payment reminder (催交) recorded
    APPROVED = "approved"  # by the role the customer class requires
    NOTICE_DELIVERED = "notice-delivered"  # written notice 3-7 days before the cut
    RE_NOTIFIED = "re-notified"  # 30 minutes before the cut
    EXECUTABLE = "executable"  # the cut may be executed at the notified time
    STOPPED = "stopped"  # paid, disputed, or withdrawn
    RECONNECTION_DUE = "reconnection-due"  # paid after the cut: reconnection in 24 h


@dataclass(frozen=True, slots=True)
class ArrearsSequence:
    """An account's place in the procedure."""

    account_id: int
    step: ArrearsStep
    arrears: Decimal
    overdue_since: datetime
    cut_at: datetime | None = None  # the notified disconnection time
    approved_by: int | None = None
    updated_at: datetime | None = None
