"""Arrears use cases: read an account's place in the disconnection procedure with its
history, take a step (load, `advance`, compare-and-set save, audit), and record a payment
(which stops an open sequence; paid after the cut, it opens a reconnection ticket).

A sequence is opened from the account's overdue bills on its first step. Two people acting
on one account at once cannot both move it: the save is compare-and-set on the stored step,
and the loser re-reads and tries again (a few times, then `arrears-changed`, 409)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.core.audit import AuditEntry, Editor, before_after
from callcenter.core.clock import Clock
from callcenter.core.errors import ConflictError, InvalidInputError
from callcenter.core.policy import OutboundRules
from outbound import arrears as machine
from outbound.models import ArrearsEvent, ArrearsSequence
from outbound.ports import (
    AccountFacts,
    AccountFactsReader,
    AreaSuspensions,
    ArrearsStore,
    AuditWriter,
    NoSuchAccountError,
    Payment,
    PaymentLedger,
    Reconnections,
    ReconnectionTicket,
)

TRIES = 3
CENTS = Decimal("0.01")
Event = machine.ArrearsEvent


class StepName(StrEnum):
    """The steps people record through the API."""

    REMINDED = "reminded"
    APPROVED = "approved"
    NOTICE_DELIVERED = "notice-delivered"
    RE_NOTIFIED = "re-notified"
    EXECUTABLE = "executable"  # the notified cut time has come
    WITHDRAWN = "withdrawn"


class ArrearsChangedError(ConflictError):
    """The sequence kept changing under this request."""

    default_code = "arrears-changed"


class NoArrearsError(ConflictError):
    """The account owes nothing overdue: no procedure can start."""

    default_code = "no-arrears"


@dataclass(frozen=True, slots=True)
class ArrearsView:
    """An account's sequence (None: never started), its history, and the reconnection's
    deadline when one is due."""

    account_id: int
    sequence: ArrearsSequence | None
    history: list[ArrearsEvent]
    reconnection_due: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """A recorded payment, the sequence after it, and the reconnection ticket it opened."""

    payment: Payment
    sequence: ArrearsSequence | None
    ticket: ReconnectionTicket | None


@dataclass(frozen=True, slots=True)
class ArrearsDeps:
    """The ports the use cases need."""

    store: ArrearsStore
    facts: AccountFactsReader
    suspensions: AreaSuspensions
    payments: PaymentLedger
    reconnections: Reconnections
    audit: AuditWriter


class ArrearsService:
    """The arrears procedure for people (API) on the ports."""

    def __init__(
        self, deps: ArrearsDeps, rules: OutboundRules, clock: Clock, timezone: str
    ) -> None:
        self._d = deps
        self._rules = rules
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    async def view(self, account_id: int) -> ArrearsView:
        """The account's sequence and history (`no-such-account`, 404)."""
        await self._facts(account_id)
        sequence = await self._d.store.get(account_id)
        history = await self._d.store.history(account_id)
        due = None if sequence is None else machine.reconnection_due(sequence, self._rules)
        return ArrearsView(account_id, sequence, history, due)

    async def step(
        self,
        account_id: int,
        step: StepName,
        editor: Editor,
        *,
        cut_at: datetime | None = None,
        note: str = "",
    ) -> ArrearsSequence:
        """Take `step` on the account's sequence (opened from its overdue bills when it has
        none); the procedure's errors say why not (see `outbound.arrears`)."""
        facts = await self._facts(account_id)
        event = _event(step, editor, facts, cut_at)
        data = {"note": note} if note else {}
        if cut_at is not None:
            data["cut_at"] = cut_at.isoformat()
        return await self._apply(facts, event, editor, data, open_new=True)

    async def pay(
        self, account_id: int, amount: Decimal, editor: Editor, paid_at: datetime | None = None
    ) -> PaymentOutcome:
        """Record a payment; an open sequence stops, and one whose cut was executable
        becomes `reconnection-due` with a ticket due within `reconnection_within`."""
        now = self._clock.now()
        if amount <= 0:
            raise InvalidInputError(
                f"a payment must be positive, not {amount}", code="invalid-amount"
            )
        if paid_at is not None and paid_at > now:
            raise InvalidInputError("a payment cannot be in the future", code="paid-at-in-future")
        facts = await self._facts(account_id)
        amount = amount.quantize(CENTS)
        payment = await self._d.payments.record(account_id, amount, paid_at or now, "api")
        await self._audit(editor, account_id, "payment", {"amount": str(amount), "id": payment.id})
        current = await self._d.store.get(account_id)
        if current is None or current.step in machine.CLOSED:
            return PaymentOutcome(payment, current, None)
        data = {"payment_id": str(payment.id), "amount": str(amount)}
        paid = machine.PaymentRecorded(amount)
        sequence = await self._apply(facts, paid, editor, data, open_new=False)
        due = machine.reconnection_due(sequence, self._rules)
        ticket = None
        if due is not None:
            ticket = await self._d.reconnections.open(facts, due, editor)
        return PaymentOutcome(payment, sequence, ticket)

    async def _facts(self, account_id: int) -> AccountFacts:
        today = self._clock.now().astimezone(self._zone).date()
        facts = await self._d.facts.facts(account_id, today)
        if facts is None:
            raise NoSuchAccountError(f"no account {account_id}")
        return facts

    async def _apply(
        self,
        facts: AccountFacts,
        event: Event,
        editor: Editor,
        data: dict[str, str],
        *,
        open_new: bool,
    ) -> ArrearsSequence:
        for _ in range(TRIES):
            now = self._clock.now()
            current = await self._d.store.get(facts.account_id)
            if current is None and not open_new:
                raise NoArrearsError(f"account {facts.account_id} has no arrears sequence")
            sequence = current or self._open(facts, now)
            standing = await self._standing(facts, now)
            moved = machine.advance(sequence, event, self._rules, now, standing=standing)
            record = ArrearsEvent(
                facts.account_id,
                now,
                None if current is None else current.step,
                moved.step,
                editor.role,
                editor.user_id,
                data,
            )
            if await self._d.store.save(moved, record, None if current is None else current.step):
                changes = before_after(_state(current), _state(moved))
                await self._audit(editor, facts.account_id, moved.step.value, changes)
                return moved
        raise ArrearsChangedError(
            f"the arrears sequence of account {facts.account_id} changed meanwhile; try again"
        )

    def _open(self, facts: AccountFacts, now: datetime) -> ArrearsSequence:
        if facts.overdue_since is None or facts.arrears <= 0:
            raise NoArrearsError(f"account {facts.account_id} has no overdue bills")
        return machine.open_sequence(facts.account_id, facts.arrears, facts.overdue_since, now)

    async def _standing(self, facts: AccountFacts, now: datetime) -> machine.AccountStanding:
        suspended = any(s.area == facts.area for s in await self._d.suspensions.in_force(now))
        return machine.AccountStanding(suspended, facts.vulnerable, facts.disputed)

    async def _audit(
        self, editor: Editor, account_id: int, action: str, data: Mapping[str, Any]
    ) -> None:
        entry = AuditEntry(self._clock.now(), editor, "arrears", str(account_id), action, data)
        await self._d.audit.write(entry)


def _event(step: StepName, editor: Editor, facts: AccountFacts, cut_at: datetime | None) -> Event:
    if step is StepName.NOTICE_DELIVERED:
        if cut_at is None:
            raise InvalidInputError("a delivered notice names its cut time", code="cut-at-missing")
        return machine.NoticeDelivered(cut_at)
    if step is StepName.APPROVED:
        return machine.ApprovalGiven(editor.user_id or 0, editor.role, facts.important)
    simple: dict[StepName, Event] = {
        StepName.REMINDED: machine.ReminderRecorded(),
        StepName.RE_NOTIFIED: machine.ReNoticeGiven(),
        StepName.EXECUTABLE: machine.CutTimeReached(),
        StepName.WITHDRAWN: machine.Withdrawn(),
    }
    return simple[step]


def _state(sequence: ArrearsSequence | None) -> dict[str, Any] | None:
    if sequence is None:
        return None
    return {
        "step": sequence.step.value,
        "arrears": str(sequence.arrears),
        "cut_at": None if sequence.cut_at is None else sequence.cut_at.isoformat(),
        "approved_by": sequence.approved_by,
    }
