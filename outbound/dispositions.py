"""Campaign dispositions as pure decisions: what an agent may record on an outbound call,
checked against the campaign, the target's amount due and the time, and what each one
does next.

- `promise-to-pay` (date, amount): the date from today to the pack's limit
  (`promise_max_days`, 30 by default), the amount above 0 and at most what is due; the
  account's arrears sequence is paused until that date (see `outbound.promises`);
- `already-paid`: no more attempts for the target in the campaign;
- `wrong-number`: the number is never dialled again (opt-out `wrong-number`), pending
  attempts cancelled;
- `refused`: recorded (still a delivered reminder for the arrears procedure);
- `call-back` (at): a new attempt due then, within the campaign's end, for the same agent.

One disposition per attempt; an agent records only the calls they had."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from outbound.desk.models import (
    CallBackTimeError,
    Disposition,
    DispositionKind,
    Effects,
    InvalidDispositionError,
    NotYourCallError,
    PromiseAmountError,
    PromiseDateError,
)
from outbound.gate import ARREARS_TYPES
from outbound.models import CampaignType

T = CampaignType
DEFAULT_PROMISE_DAYS = 30
PROMISE_DAYS_KEY = "promise_max_days"  # in the policy pack's `extra`
# the types that speak of money owed: a promise or a payment makes sense there
MONEY_TYPES = ARREARS_TYPES | {T.BILL_REMINDER}
PAYMENT_TYPES = MONEY_TYPES | {T.LOW_BALANCE, T.ZERO_BALANCE}
DUE_KEYS = ("total_due", "amount_due", "arrears")  # the target's value that is owed


@dataclass(frozen=True, slots=True)
class DispositionRequest:
    """What the agent sent (times timezone-aware)."""

    kind: str
    promise_date: date | None = None
    amount: Decimal | None = None
    call_back_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class DispositionContext:
    """What the checks need: the campaign's type and end, what the target owes, the local
    date and the time now, and the pack's promise limit in days."""

    campaign_type: CampaignType
    campaign_end: datetime | None
    due: Decimal | None
    today: date
    now: datetime
    promise_max_days: int = DEFAULT_PROMISE_DAYS


def promise_max_days(extra: tuple[tuple[str, str], ...]) -> int:
    """The pack's promise limit in days (its `extra` entry, else 30)."""
    text = dict(extra).get(PROMISE_DAYS_KEY, "")
    return int(text) if text.isdigit() else DEFAULT_PROMISE_DAYS


def amount_due(values: Mapping[str, str]) -> Decimal | None:
    """What the target owes, from its stored values (None when it names no amount)."""
    for key in DUE_KEYS:
        try:
            return Decimal(values[key])
        except (KeyError, InvalidOperation):
            continue
    return None


def check_caller(role: str, user_id: int | None, agents: tuple[int | None, ...]) -> None:
    """An agent must be one of `agents` (reserved for the attempt, or on its call record);
    supervisors and admins may record any call."""
    if role == "agent" and (user_id is None or user_id not in agents):
        raise NotYourCallError("only the agent who had this call may record its outcome")


def decide(request: DispositionRequest, ctx: DispositionContext) -> Disposition:
    """The disposition if it is allowed, else the error that says why."""
    try:
        kind = DispositionKind(request.kind)
    except ValueError:
        known = ", ".join(k.value for k in DispositionKind)
        raise InvalidDispositionError(f"disposition is one of {known}") from None
    note = request.note.strip()
    if kind is DispositionKind.PROMISE_TO_PAY:
        return _promise(request, ctx, note)
    if kind is DispositionKind.CALL_BACK:
        return Disposition(kind, call_back_at=_call_back(request, ctx), note=note)
    if kind is DispositionKind.ALREADY_PAID and ctx.campaign_type not in PAYMENT_TYPES:
        raise InvalidDispositionError(f"a {ctx.campaign_type} call asks for no payment")
    return Disposition(kind, note=note)


def effects_of(disposition: Disposition, campaign_type: CampaignType) -> Effects:
    """What the disposition does next."""
    arrears = campaign_type in ARREARS_TYPES
    match disposition.kind:
        case DispositionKind.PROMISE_TO_PAY:
            return Effects(promise=True, reminder=arrears)
        case DispositionKind.ALREADY_PAID:
            return Effects(cancel_pending=True)
        case DispositionKind.WRONG_NUMBER:
            return Effects(cancel_pending=True, opt_out=True)
        case DispositionKind.REFUSED:
            return Effects(reminder=arrears)
        case DispositionKind.CALL_BACK:
            return Effects(cancel_pending=True, call_back_at=disposition.call_back_at)


def _promise(request: DispositionRequest, ctx: DispositionContext, note: str) -> Disposition:
    if ctx.campaign_type not in MONEY_TYPES:
        raise InvalidDispositionError(f"a {ctx.campaign_type} call takes no promise to pay")
    if request.promise_date is None or request.amount is None:
        raise InvalidDispositionError("a promise to pay names its date and amount")
    last = ctx.today + timedelta(days=ctx.promise_max_days)
    if not ctx.today <= request.promise_date <= last:
        raise PromiseDateError(
            f"the promised date must be from {ctx.today.isoformat()} to {last.isoformat()}"
        )
    amount = request.amount
    if amount <= 0 or (ctx.due is not None and amount > ctx.due):
        most = "" if ctx.due is None else f" and at most the {ctx.due} yuan due"
        raise PromiseAmountError(f"the promised amount must be above 0{most}")
    return Disposition(
        DispositionKind.PROMISE_TO_PAY,
        promise_date=request.promise_date,
        amount=amount.quantize(Decimal("0.01")),
        note=note,
    )


def _call_back(request: DispositionRequest, ctx: DispositionContext) -> datetime:
    at = request.call_back_at
    if at is None:
        raise InvalidDispositionError("a call-back names its time")
    if at <= ctx.now:
        raise CallBackTimeError("the call-back time must be in the future")
    if ctx.campaign_end is not None and at >= ctx.campaign_end:
        raise CallBackTimeError(
            f"the call-back time must be before the campaign's end {ctx.campaign_end.isoformat()}"
        )
    return at
