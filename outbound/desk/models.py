"""Dispositions, promises to pay and attempt keys as the use cases and the stores see them,
with the errors the API maps to stable codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from callcenter.core.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from outbound.models import Attempt, Campaign, Target


class DispositionKind(StrEnum):
    """The campaign outcomes an agent records."""

    PROMISE_TO_PAY = "promise-to-pay"
    ALREADY_PAID = "already-paid"
    WRONG_NUMBER = "wrong-number"
    REFUSED = "refused"
    CALL_BACK = "call-back"


class PromiseStatus(StrEnum):
    """Where a promise stands."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class NoSuchAttemptError(NotFoundError):
    """No attempt with that key."""

    default_code = "no-such-attempt"


class InvalidDispositionError(InvalidInputError):
    """Not a disposition this call can have (unknown kind, missing field, wrong type)."""

    default_code = "invalid-disposition"


class PromiseDateError(InvalidInputError):
    """The promised date is in the past or beyond the pack's limit."""

    default_code = "promise-date-out-of-range"


class PromiseAmountError(InvalidInputError):
    """The promised amount is not above 0 and at most what is due."""

    default_code = "promise-amount-invalid"


class CallBackTimeError(InvalidInputError):
    """The call-back time is not in the future within the campaign's end."""

    default_code = "call-back-out-of-range"


class DispositionExistsError(ConflictError):
    """The attempt has its disposition already (one per attempt)."""

    default_code = "disposition-exists"


class NotYourCallError(ForbiddenError):
    """An agent may record only the calls they had."""

    default_code = "not-your-call"


@dataclass(frozen=True, slots=True)
class AttemptKey:
    """`<campaign_id>:<target_id>:<attempt_no>`, the attempt's idempotency key."""

    campaign_id: int
    target_id: int
    attempt_no: int

    @classmethod
    def parse(cls, text: str) -> AttemptKey:
        """From its text form (`no-such-attempt` when it is not one)."""
        parts = text.split(":")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts):
            raise NoSuchAttemptError(f"{text!r} is not an attempt key (campaign:target:no)")
        return cls(int(parts[0]), int(parts[1]), int(parts[2]))

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.target_id}:{self.attempt_no}"


@dataclass(frozen=True, slots=True)
class AttemptFacts:
    """An attempt with its campaign and target, and who handled it: the agent reserved for
    it and the agent of its call record."""

    campaign: Campaign
    attempt: Attempt
    target: Target
    reserved_agent: int | None = None
    call_agent: int | None = None

    @property
    def key(self) -> AttemptKey:
        """The attempt's key."""
        a = self.attempt
        return AttemptKey(a.campaign_id, a.target_id, a.attempt_no)


@dataclass(frozen=True, slots=True)
class Disposition:
    """A checked disposition."""

    kind: DispositionKind
    promise_date: date | None = None
    amount: Decimal | None = None
    call_back_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Effects:
    """What a disposition does next."""

    promise: bool = False  # a promise row; the arrears sequence paused until its date
    cancel_pending: bool = False  # the target's pending attempts in the campaign
    opt_out: bool = False  # the number, source `wrong-number`
    call_back_at: datetime | None = None  # a new pending attempt due then
    reminder: bool = False  # a delivered payment reminder (催交) for the arrears procedure


@dataclass(frozen=True, slots=True)
class NewPromise:
    """A promise to store with its disposition."""

    amount: Decimal
    arrears_at: Decimal  # what was due when it was made
    promised_for: date
    due_at: datetime  # the end of the promised local day


@dataclass(frozen=True, slots=True)
class DispositionRecord:
    """A stored disposition: the attempt, who recorded it and when, and what it did (the
    promise's id, the attempts cancelled, the call-back's attempt number)."""

    id: int
    attempt: str
    disposition: Disposition
    agent_id: int | None
    by_role: str
    by_user: int | None
    created_at: datetime
    call_id: str | None = None
    promise_id: int | None = None
    cancelled: int = 0
    call_back_attempt: int | None = None


@dataclass(frozen=True, slots=True)
class Promise:
    """A promise to pay `amount` by `promised_for` (local date; due at `due_at`, the end of
    that day), made on attempt `attempt_key` when `arrears_at` was due."""

    id: int
    account_id: int
    campaign_id: int
    target_id: int
    attempt_key: str
    amount: Decimal
    arrears_at: Decimal
    promised_for: date
    due_at: datetime
    agent_id: int | None
    status: PromiseStatus = PromiseStatus.OPEN
    created_at: datetime | None = None
    settled_at: datetime | None = None
