"""Promises to pay: an open promise pauses the account's arrears sequence until the end of
the promised (local) day; the gate refuses arrears calls for the account meanwhile (reason
`sequence`). `PromiseService.follow_up(now)` settles the promises past their day: paid (the
account's arrears went down by the promised amount, or are gone) -> `kept`; else `broken`,
the sequence resumes, and a follow-up call is scheduled on the same campaign target when
the campaign still runs (else the audit log says why not).

The campaign loop calls `follow_up` once per scan (one call, idempotent: a promise is
settled by compare-and-set, once)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from callcenter.core.audit import AuditEntry, Editor
from callcenter.core.clock import Clock
from outbound.desk.models import Promise, PromiseStatus
from outbound.desk.ports import FollowUps, PromiseStore
from outbound.ports import AccountFactsReader, AuditWriter

log = logging.getLogger(__name__)
SYSTEM = Editor("campaign")


def due_at(promised_for: date, timezone: str) -> datetime:
    """The end of the promised local day: the sequence is paused until then."""
    zone = ZoneInfo(timezone)
    return datetime.combine(promised_for + timedelta(days=1), time(0), tzinfo=zone)


def verdict(promise: Promise, arrears_now: Decimal, now: datetime) -> PromiseStatus | None:
    """Kept or broken once the promise is due (None before, or when settled already): kept
    when the arrears went down by at least the promised amount (or are gone)."""
    if promise.status is not PromiseStatus.OPEN or now < promise.due_at:
        return None
    paid = arrears_now <= 0 or promise.arrears_at - arrears_now >= promise.amount
    return PromiseStatus.KEPT if paid else PromiseStatus.BROKEN


@dataclass(slots=True)
class FollowUpReport:
    """What one follow-up pass did."""

    kept: list[int] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)
    scheduled: list[int] = field(default_factory=list)  # broken promises called again


@dataclass(frozen=True, slots=True)
class PromiseDeps:
    """The ports the follow-up needs."""

    store: PromiseStore
    facts: AccountFactsReader
    follow_ups: FollowUps
    audit: AuditWriter


class PromiseService:
    """Follows promises up when their day has passed."""

    BATCH = 200

    def __init__(self, deps: PromiseDeps, clock: Clock, timezone: str) -> None:
        self._d = deps
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    async def follow_up(self, now: datetime | None = None) -> FollowUpReport:
        """Settle every promise due at `now` (the clock's when None): the one entry point
        for the campaign loop."""
        at = now or self._clock.now()
        report = FollowUpReport()
        for promise in await self._d.store.due(at, self.BATCH):
            await self._settle(promise, at, report)
        return report

    async def _settle(self, promise: Promise, now: datetime, report: FollowUpReport) -> None:
        facts = await self._d.facts.facts(promise.account_id, now.astimezone(self._zone).date())
        arrears = Decimal(0) if facts is None else facts.arrears
        status = verdict(promise, arrears, now)
        if status is None or not await self._d.store.settle(promise.id, status, now):
            return
        data: dict[str, object] = {"promise": promise.id, "arrears": str(arrears)}
        if status is PromiseStatus.KEPT:
            report.kept.append(promise.id)
        else:
            report.broken.append(promise.id)
            attempt_no = await self._d.follow_ups.schedule(promise, now)
            data["follow_up"] = (
                f"{promise.campaign_id}:{promise.target_id}:{attempt_no}"
                if attempt_no is not None
                else f"not scheduled: campaign {promise.campaign_id} is not running"
            )
            if attempt_no is not None:
                report.scheduled.append(promise.id)
        log.info("promise %d of account %d: %s", promise.id, promise.account_id, status)
        action = f"promise-{status}"
        entry = AuditEntry(now, SYSTEM, "arrears", str(promise.account_id), action, data)
        await self._d.audit.write(entry)
