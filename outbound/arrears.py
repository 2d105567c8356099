"""The legal arrears-disconnection procedure as a pure state machine: no step skippable.

    overdue --reminder--> reminded --approval--> approved --notice delivered--> notice-delivered
      --re-notice--> re-notified --cut time reached--> executable

- approval: a reminder (催交) recorded and more than `min_days_overdue` days overdue, by a
  role of `approver_roles` (important users: `important_approver_roles`, company level);
- notice delivered 3-7 days before the cut it names (`cut_at`); a new notice may replace
  it (a new `cut_at`) until the cut is executable;
- re-notice between 2 h and 30 minutes before the cut;
- executable from `cut_at` until `cut_at + cut_grace` (later: deliver a new notice).

Every step from approval on is blocked, in this order, by an area suspension, a public
holiday on the cut day, a vulnerable flag, a disputed bill (the error's code is the block's).
A payment stops an open sequence; on an executable one (paid after the cut) it makes the
reconnection due within `reconnection_within` (see `reconnection_due`). A withdrawal stops
the sequence before the cut is executable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from callcenter.core.errors import ConflictError, ForbiddenError, InvalidInputError
from callcenter.core.policy import OutboundRules
from outbound.models import ArrearsSequence, ArrearsStep, RefusalReason

CLOSED = frozenset({ArrearsStep.STOPPED, ArrearsStep.RECONNECTION_DUE})


class ArrearsStepError(ConflictError):
    """The procedure does not allow this step now (a step missing, or not yet / no longer
    in its time window)."""

    default_code = "arrears-step-not-allowed"


class ArrearsBlockedError(ArrearsStepError):
    """The step is blocked; `code` is the block's (`area-suspended`, `holiday`,
    `vulnerable`, `disputed-bill`)."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message, code=reason.value)
        self.reason = reason


class ArrearsClosedError(ArrearsStepError):
    """The sequence is stopped or waiting for reconnection: nothing more happens in it."""

    default_code = "arrears-sequence-closed"


class ApprovalRoleError(ForbiddenError):
    """The approver's role is not one the customer class requires."""

    default_code = "arrears-approval-role"


@dataclass(frozen=True, slots=True)
class ReminderRecorded:
    """A payment reminder (催交) was given (a call answered or confirmed, a letter)."""


@dataclass(frozen=True, slots=True)
class ApprovalGiven:
    """A person approved the disconnection; `important`: the customer is an important user."""

    approver_id: int
    role: str
    important: bool


@dataclass(frozen=True, slots=True)
class NoticeDelivered:
    """The written disconnection notice naming `cut_at` was delivered (now)."""

    cut_at: datetime


@dataclass(frozen=True, slots=True)
class ReNoticeGiven:
    """The re-notice before the cut was given (now)."""


@dataclass(frozen=True, slots=True)
class CutTimeReached:
    """The notified time has come: mark the cut executable."""


@dataclass(frozen=True, slots=True)
class PaymentRecorded:
    """The customer paid `amount`."""

    amount: Decimal


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """Staff withdrew the procedure (wrong account, agreement reached)."""


ArrearsEvent = (
    ReminderRecorded
    | ApprovalGiven
    | NoticeDelivered
    | ReNoticeGiven
    | CutTimeReached
    | PaymentRecorded
    | Withdrawn
)


@dataclass(frozen=True, slots=True)
class AccountStanding:
    """The facts that block the procedure, as they are now."""

    area_suspended: bool
    vulnerable: bool
    disputed: bool


def open_sequence(
    account_id: int, arrears: Decimal, overdue_since: datetime, now: datetime
) -> ArrearsSequence:
    """A new sequence at `overdue` for an account owing `arrears` since `overdue_since`."""
    if arrears <= 0:
        raise InvalidInputError(f"no arrears to collect on account {account_id}")
    return ArrearsSequence(account_id, ArrearsStep.OVERDUE, arrears, overdue_since, updated_at=now)


def advance(
    sequence: ArrearsSequence,
    event: ArrearsEvent,
    rules: OutboundRules,
    now: datetime,
    *,
    standing: AccountStanding,
) -> ArrearsSequence:
    """The sequence after `event` at `now`, or an `ArrearsStepError` (a block: its subclass
    with the block's code), `ArrearsClosedError`, or `ApprovalRoleError`."""
    if sequence.step in CLOSED:
        raise ArrearsClosedError(
            f"the arrears sequence of account {sequence.account_id} is {sequence.step}"
        )
    match event:
        case ReminderRecorded():
            return _reminder(sequence, event, rules, now, standing)
        case ApprovalGiven():
            return _approval(sequence, event, rules, now, standing)
        case NoticeDelivered():
            return _notice(sequence, event, rules, now, standing)
        case ReNoticeGiven():
            return _re_notice(sequence, event, rules, now, standing)
        case CutTimeReached():
            return _cut_time(sequence, event, rules, now, standing)
        case PaymentRecorded():
            return _payment(sequence, event, rules, now, standing)
        case Withdrawn():
            return _withdrawal(sequence, event, rules, now, standing)


def reconnection_due(sequence: ArrearsSequence, rules: OutboundRules) -> datetime | None:
    """When the reconnection must be done (paid after the cut), else None."""
    if sequence.step is not ArrearsStep.RECONNECTION_DUE or sequence.updated_at is None:
        return None
    return sequence.updated_at + rules.reconnection_within


def _require_step(sequence: ArrearsSequence, allowed: set[ArrearsStep], missing: str) -> None:
    if sequence.step not in allowed:
        raise ArrearsStepError(
            f"account {sequence.account_id} is at {sequence.step}: this step may only follow "
            f"{missing}"
        )


def _require_unblocked(
    sequence: ArrearsSequence, standing: AccountStanding, rules: OutboundRules
) -> None:
    cut_day = None
    if sequence.cut_at is not None:
        cut_day = sequence.cut_at.astimezone(ZoneInfo(rules.default_zone)).date()
    blocks = (
        (standing.area_suspended, RefusalReason.AREA_SUSPENDED, "the area is suspended"),
        (
            cut_day is not None and rules.calendar.is_holiday(cut_day),
            RefusalReason.HOLIDAY,
            f"the cut day {cut_day} is a public holiday",
        ),
        (standing.vulnerable, RefusalReason.VULNERABLE, "the customer is protected"),
        (standing.disputed, RefusalReason.DISPUTED_BILL, "the bill is disputed"),
    )
    for blocked, reason, why in blocks:
        if blocked:
            raise ArrearsBlockedError(reason, f"disconnection blocked: {why}")


def _reminder(
    s: ArrearsSequence, e: ReminderRecorded, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    _require_step(s, {ArrearsStep.OVERDUE, ArrearsStep.REMINDED}, "the overdue step")
    return replace(s, step=ArrearsStep.REMINDED, updated_at=now)


def _approval(
    s: ArrearsSequence, e: ApprovalGiven, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    _require_step(s, {ArrearsStep.REMINDED}, "a payment reminder (催交)")
    if now - s.overdue_since <= timedelta(days=r.min_days_overdue):
        raise ArrearsStepError(
            f"account {s.account_id} is not more than {r.min_days_overdue} days overdue"
        )
    roles = r.important_approver_roles if e.important else r.approver_roles
    if e.role not in roles:
        raise ApprovalRoleError(
            f"approving this disconnection needs one of the roles {', '.join(sorted(roles))}"
        )
    _require_unblocked(s, a, r)
    return replace(s, step=ArrearsStep.APPROVED, approved_by=e.approver_id, updated_at=now)


def _notice(
    s: ArrearsSequence, e: NoticeDelivered, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    allowed = {ArrearsStep.APPROVED, ArrearsStep.NOTICE_DELIVERED, ArrearsStep.RE_NOTIFIED}
    _require_step(s, allowed, "the approval")
    shortest, longest = r.disconnection_notice_lead
    if not shortest <= e.cut_at - now <= longest:
        raise ArrearsStepError(
            f"the notice must be delivered {shortest.days} to {longest.days} days before the "
            f"cut; {e.cut_at.isoformat()} is not"
        )
    moved = replace(s, cut_at=e.cut_at)
    _require_unblocked(moved, a, r)
    return replace(moved, step=ArrearsStep.NOTICE_DELIVERED, updated_at=now)


def _re_notice(
    s: ArrearsSequence, e: ReNoticeGiven, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    _require_step(s, {ArrearsStep.NOTICE_DELIVERED}, "the delivered disconnection notice")
    cut_at = _cut_at(s)
    shortest, longest = r.re_notice_lead
    if not shortest <= cut_at - now <= longest:
        raise ArrearsStepError(
            f"the re-notice must be given between {_minutes(longest)} and "
            f"{_minutes(shortest)} minutes before the cut at {cut_at.isoformat()}"
        )
    _require_unblocked(s, a, r)
    return replace(s, step=ArrearsStep.RE_NOTIFIED, updated_at=now)


def _cut_time(
    s: ArrearsSequence, e: CutTimeReached, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    _require_step(s, {ArrearsStep.RE_NOTIFIED}, "the re-notice")
    cut_at = _cut_at(s)
    if now < cut_at:
        raise ArrearsStepError(f"the cut is executable from {cut_at.isoformat()}, not before")
    if now > cut_at + r.cut_grace:
        raise ArrearsStepError(
            f"the notified time {cut_at.isoformat()} has passed; deliver a new notice"
        )
    _require_unblocked(s, a, r)
    return replace(s, step=ArrearsStep.EXECUTABLE, updated_at=now)


def _payment(
    s: ArrearsSequence, e: PaymentRecorded, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    if e.amount <= 0:
        raise InvalidInputError(f"a payment must be positive, not {e.amount}")
    left = max(s.arrears - e.amount, Decimal(0))
    after_cut = s.step is ArrearsStep.EXECUTABLE
    step = ArrearsStep.RECONNECTION_DUE if after_cut else ArrearsStep.STOPPED
    return replace(s, step=step, arrears=left, updated_at=now)


def _withdrawal(
    s: ArrearsSequence, e: Withdrawn, r: OutboundRules, now: datetime, a: AccountStanding
) -> ArrearsSequence:
    if s.step is ArrearsStep.EXECUTABLE:
        raise ArrearsStepError(
            f"account {s.account_id}'s cut is executable; record a payment or reconnect by hand"
        )
    return replace(s, step=ArrearsStep.STOPPED, updated_at=now)


def _cut_at(sequence: ArrearsSequence) -> datetime:
    if sequence.cut_at is None:  # a stored sequence past the notice always has one
        raise ArrearsStepError(f"account {sequence.account_id} has no notified cut time")
    return sequence.cut_at


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
