"""Recording a campaign disposition: load the attempt, check who records it and what
(`outbound.dispositions`), store it with its effects on the campaign's attempts in one
transaction, then opt a wrong number out, take the reminder step of the arrears procedure,
note it on the call's record and in the audit log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.clock import Clock
from callcenter.core.errors import CallcenterError
from outbound.arrears_calls import CAMPAIGN, ArrearsSteps
from outbound.arrears_service import StepName
from outbound.desk.models import (
    AttemptFacts,
    AttemptKey,
    Disposition,
    DispositionExistsError,
    DispositionRecord,
    NewPromise,
    NoSuchAttemptError,
)
from outbound.desk.ports import AttemptFactsReader, CallNotes, DispositionStore
from outbound.dispositions import (
    DispositionContext,
    DispositionRequest,
    amount_due,
    check_caller,
    decide,
    effects_of,
)
from outbound.ports import AccountFactsReader, AuditWriter, OptOuts
from outbound.promises import due_at

log = logging.getLogger(__name__)
WRONG_NUMBER = "wrong-number"


@dataclass(frozen=True, slots=True)
class DispositionDeps:
    """The ports the use case needs; `steps` takes arrears steps (None: none taken)."""

    attempts: AttemptFactsReader
    store: DispositionStore
    opt_outs: OptOuts
    facts: AccountFactsReader
    notes: CallNotes
    audit: AuditWriter
    steps: ArrearsSteps | None = None


class DispositionService:
    """Campaign dispositions recorded on the desk."""

    def __init__(
        self, deps: DispositionDeps, clock: Clock, timezone: str, promise_days: int
    ) -> None:
        self._d = deps
        self._clock = clock
        self._timezone = timezone
        self._zone = ZoneInfo(timezone)
        self._promise_days = promise_days

    async def get(self, attempt_key: str) -> DispositionRecord | None:
        """The attempt's disposition (None: none yet; `no-such-attempt`, 404)."""
        facts = await self._facts(attempt_key)
        return await self._d.store.get(facts.key)

    async def record(
        self, attempt_key: str, request: DispositionRequest, editor: Editor
    ) -> DispositionRecord:
        """Record the outcome of the attempt's call, once (see `outbound.dispositions`)."""
        facts = await self._facts(attempt_key)
        check_caller(editor.role, editor.user_id, (facts.reserved_agent, facts.call_agent))
        now = self._clock.now()
        today = now.astimezone(self._zone).date()
        campaign, target = facts.campaign, facts.target
        ctx = DispositionContext(
            campaign.type, campaign.end_at, amount_due(target.values), today, now,
            self._promise_days,
        )  # fmt: skip
        disposition = decide(request, ctx)
        effects = effects_of(disposition, campaign.type)
        if await self._d.store.get(facts.key) is not None:
            raise DispositionExistsError(f"attempt {facts.key} has its disposition already")
        promise = await self._promise(facts, disposition) if effects.promise else None
        record = await self._d.store.record(facts, disposition, effects, promise, editor, now)
        if effects.opt_out:
            await self._d.opt_outs.add(target.phone, now, WRONG_NUMBER, target.customer_id)
        if effects.reminder:
            await self._reminder(facts, disposition)
        await self._write_down(facts, record, editor)
        return record

    async def _facts(self, attempt_key: str) -> AttemptFacts:
        facts = await self._d.attempts.attempt_facts(AttemptKey.parse(attempt_key))
        if facts is None:
            raise NoSuchAttemptError(f"no attempt {attempt_key}")
        return facts

    async def _promise(self, facts: AttemptFacts, disposition: Disposition) -> NewPromise:
        assert disposition.promise_date is not None and disposition.amount is not None
        today = self._clock.now().astimezone(self._zone).date()
        account = await self._d.facts.facts(facts.target.account_id, today)
        arrears = account.arrears if account is not None else Decimal(0)
        promised = disposition.promise_date
        return NewPromise(disposition.amount, arrears, promised, due_at(promised, self._timezone))

    async def _reminder(self, facts: AttemptFacts, disposition: Disposition) -> None:
        """A promise or a refusal is still a delivered reminder (催交); a step the procedure
        refuses (a later step already, a block) is logged, never raised."""
        if self._d.steps is None:
            return
        note = f"{disposition.kind} on attempt {facts.key}"
        try:
            await self._d.steps.step(
                facts.target.account_id, StepName.REMINDED, CAMPAIGN, note=note
            )
        except CallcenterError as err:
            log.info("account %d: reminder not recorded: %s", facts.target.account_id, err)

    async def _write_down(
        self, facts: AttemptFacts, record: DispositionRecord, editor: Editor
    ) -> None:
        data = disposition_data(record)
        if facts.attempt.call_id is not None:
            note = {"kind": "campaign_disposition", **data}
            await self._d.notes.note(facts.attempt.call_id, note)
        action = f"disposition-{record.disposition.kind}"
        entry = AuditEntry(record.created_at, editor, "attempt", record.attempt, action, data)
        await self._d.audit.write(entry)


def disposition_data(record: DispositionRecord) -> dict[str, Any]:
    """A disposition as JSON-ready data (the call note, the audit entry, the API)."""
    d = record.disposition
    return {
        "attempt": record.attempt,
        "disposition": d.kind.value,
        "promise_date": None if d.promise_date is None else d.promise_date.isoformat(),
        "amount": None if d.amount is None else str(d.amount),
        "call_back_at": None if d.call_back_at is None else d.call_back_at.isoformat(),
        "note": d.note,
        "agent_id": record.agent_id,
        "promise_id": record.promise_id,
        "cancelled": record.cancelled,
        "call_back_attempt": record.call_back_attempt,
    }
