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


class CampaignMode(StrEnum):
    """How a campaign's calls reach a person: a message only, or with a live agent."""

    AUTOMATED = "automated"  # the message flow only (0 still asks for an agent)
    PRESS_1 = "press-1"  # the message, then 0/1 puts the callee in the campaign's queue
    PREVIEW = "preview"  # an agent sees the target first, then dials or skips
    PROGRESSIVE = "progressive"  # one dial per ready agent, reserved before dialing
    PREDICTIVE = "predictive"  # paced from agent and answer statistics, under the abandon cap


AGENT_MODES = frozenset(
    {CampaignMode.PREVIEW, CampaignMode.PROGRESSIVE, CampaignMode.PREDICTIVE}
)  # an agent talks to every callee who answers


class TargetQueryKind(StrEnum):
    """How a campaign's targets are chosen."""

    OUTAGE = "outage"  # outage id: its feeders and service points -> accounts
    BILLS_DUE = "bills-due"  # bills due within N days
    ARREARS_OVER = "arrears-over"  # arrears older than N days
    BALANCE_BELOW = "balance-below"  # prepaid balance below N yuan
    TICKET = "ticket"  # the customer of a ticket (satisfaction callback)
    # 回访 (issue 15): the customers of the tickets awaiting their satisfaction callback,
    # `all` or one ticket type; a customer's oldest such ticket
    CALLBACKS_DUE = "callbacks-due"  # (query_kind holds 16 characters)
    CSV = "csv"  # uploaded account numbers
    # who asked the IVR to be told of the outage's restoration, and with
    # `+notified` also everyone its outage-notice and etr-update campaigns reached
    OUTAGE_CALLERS = "outage-callers"  # outage id, or `ID+notified`


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
    QUEUED = "queued"  # waiting in its agent queue for an agent to be reserved (agent modes)
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
    ABANDONED = "abandoned"  # a person answered, no agent was free: identification only
    SKIPPED = "skipped"  # an agent skipped the preview record (with a reason)


FINAL_RESULTS = frozenset(
    {
        AttemptResult.CONFIRMED,
        AttemptResult.ANSWERED,
        AttemptResult.REFUSED,
        AttemptResult.UNCERTAIN,
        AttemptResult.OPTED_OUT,
        AttemptResult.SKIPPED,
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
    mode: CampaignMode = CampaignMode.AUTOMATED
    queue: str | None = None  # the agent queue (None: the type's own)


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
    agent_id: int | None = None  # the agent reserved for it (agent modes)


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
    paused_until: datetime | None = None  # desk: an open promise to pay pauses it until then


# ---
# What the stores take and give beyond the contract above (outbound/ports.py).

from datetime import time  # noqa: E402

from callcenter.core.errors import ConflictError, InvalidInputError, NotFoundError  # noqa: E402


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """The hours a campaign may dial each day, callee-local wall time (`end` excluded)."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class NewCampaign:
    """A campaign to create (it starts as a draft)."""

    name: str
    type: CampaignType
    gateway: GatewayKind
    query: TargetQuery
    created_by: int | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    window: DailyWindow | None = None
    priority: int = 0
    max_attempts: int = 3
    sms: bool = False
    mode: CampaignMode = CampaignMode.AUTOMATED
    queue: str | None = None


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """A stored campaign with its daily window and the time of its last change."""

    campaign: Campaign
    window: DailyWindow | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """A target a query found, before it is stored (previews show these)."""

    customer_id: int
    account_id: int
    account_no: str
    phone: str
    values: dict[str, str] = field(default_factory=dict)
    vulnerable: bool = False
    area: str = ""
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class TargetPreview:
    """How many targets a query finds now, and the first few of them."""

    count: int
    sample: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class CsvRejection:
    """One refused line of an uploaded CSV of account numbers (1-based line number)."""

    line: int
    value: str
    reason: str


class TargetCsvError(InvalidInputError):
    """Some CSV rows were refused; nothing was loaded. `rejected` names every line."""

    default_code = "csv-rejected"

    def __init__(self, rejected: tuple[CsvRejection, ...]) -> None:
        shown = "; ".join(f"line {r.line}: {r.reason}" for r in rejected[:5])
        more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
        super().__init__(f"{len(rejected)} CSV rows refused, nothing loaded: {shown}{more}")
        self.rejected = rejected


class NoSuchCampaignError(NotFoundError):
    """No campaign with that id."""

    default_code = "no-such-campaign"


class CampaignStateError(ConflictError):
    """The campaign is not in a state that allows this."""

    default_code = "campaign-state"


@dataclass(frozen=True, slots=True)
class CampaignCounts:
    """Where a campaign's attempts stand: `results` counts finished attempts by result,
    `refused` the gate's refusals by reason, `waiting` the unfinished ones by why they wait
    (`due`, `retry-later`, `claimed`, `sending`, `placed`)."""

    targets: int
    results: dict[str, int]
    refused: dict[str, int]
    waiting: dict[str, int]


@dataclass(frozen=True, slots=True)
class ContactCounts:
    """A customer's dials across all campaigns, for the frequency caps of the gate."""

    today: int = 0
    last_30_days: int = 0
    unanswered_arrears_today: int = 0


@dataclass(frozen=True, slots=True)
class AreaSuspension:
    """No campaign calls (of the suspended kinds) into `area` from `from_at` to `until`."""

    id: int
    area: str
    reason: str
    from_at: datetime
    until: datetime | None
    created_by: str


@dataclass(frozen=True, slots=True)
class ArrearsEvent:
    """One step of an account's arrears procedure, with who took it."""

    account_id: int
    at: datetime
    from_step: ArrearsStep | None
    to_step: ArrearsStep
    actor_role: str
    actor_id: int | None = None
    data: dict[str, str] = field(default_factory=dict)
