"""The dialer of one campaign: rounds that claim due attempts, pass each through the
compliance gate and place the allowed ones; the results the gateway reports; and the
reconciliation of attempts a crash left in `sending` (never redialled blindly).

Pure of I/O except through the ports; the time comes from the injected clock or the
round's `now`. Every attempt transition is the store's compare-and-set, so a repeated
result or a second dialer on the same campaign changes nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from callcenter.core.clock import Clock
from callcenter.core.phone import mask
from callcenter.core.policy import OutboundRules
from outbound.gate import DialContext, check
from outbound.gateway import CallMaybePlacedError, DialRequest, Gateway, GatewayError
from outbound.history import GateFacts, gate_facts
from outbound.models import (
    Attempt,
    AttemptResult,
    AttemptState,
    Campaign,
    CampaignCounts,
    CampaignRecord,
    CampaignState,
    CampaignStateError,
    NoSuchCampaignError,
    Target,
)
from outbound.pacing import PacingLimits, PacingStats, calls_to_place, full_bucket, next_try
from outbound.ports import (
    AreaSuspensions,
    ArrearsStore,
    AttemptStore,
    CampaignStore,
    ContactHistory,
    OptOuts,
    OutboundCallLog,
)

log = logging.getLogger(__name__)
IN_FLIGHT = ("claimed", "sending", "placed")


@dataclass(frozen=True, slots=True)
class DialerSettings:
    """How the dialer places calls: the number shown to callees, the pacing limits, the
    name it claims attempts under (one per instance), ring time and answering-machine
    detection."""

    caller_id: str
    limits: PacingLimits
    claimer: str = "dialer"
    ring_seconds: int = 30
    machine_detection: bool = True


@dataclass(frozen=True, slots=True)
class DialerPorts:
    """The stores the dialer reads and writes; `calls` opens and closes the call records."""

    campaigns: CampaignStore
    attempts: AttemptStore
    history: ContactHistory
    opt_outs: OptOuts
    suspensions: AreaSuspensions
    calls: OutboundCallLog | None = None
    arrears: ArrearsStore | None = None  # the sequences disconnection notices need


@dataclass(slots=True)
class RoundReport:
    """What one round did. `skipped` says why it dialled nothing (`not-running`,
    `not-started`, `ended`, `completed`)."""

    claimed: int = 0
    placed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    retry_later: int = 0  # transient gateway errors: the attempt is retried later
    failed: int = 0  # the gateway refused the request for good
    maybe_placed: int = 0  # left in `sending` for reconciliation
    completed: bool = False
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """Attempts found stuck in `sending`: placed (the gateway knows the call), uncertain
    (it does not: left for a person), or left as they were (the lookup failed)."""

    placed: int = 0
    uncertain: int = 0
    unresolved: int = 0


def attempt_key(attempt: Attempt) -> str:
    """The attempt's idempotency key `<campaign>:<target>:<attempt_no>`."""
    return f"{attempt.campaign_id}:{attempt.target_id}:{attempt.attempt_no}"


class Dialer:
    """Dials one campaign. Call `take_over` once when starting (after a crash: claims
    released, stuck sends reconciled), then `round` repeatedly; give `on_result` to the
    gateway as its `ResultSink`."""

    def __init__(
        self,
        campaign_id: int,
        ports: DialerPorts,
        gateway: Gateway,
        rules: OutboundRules,
        settings: DialerSettings,
        clock: Clock,
    ) -> None:
        self._id = campaign_id
        self._ports = ports
        self._gateway = gateway
        self._rules = rules
        self._settings = settings
        self._clock = clock
        self._bucket = full_bucket(settings.limits, clock.now())
        self._sending: dict[str, int] = {}  # key -> attempt id, until the result is in

    async def take_over(self, now: datetime) -> ReconcileReport:
        """Release the claims a previous dialer left (never sent: safe to dial again) and
        reconcile the attempts it left in `sending`."""
        released = await self._ports.attempts.release_claims(self._id, now)
        if released:
            log.info("campaign %d: %d claimed attempts released", self._id, released)
        return await self.reconcile(now)

    async def round(self, now: datetime) -> RoundReport:
        """Claim as many due attempts as pacing allows and dial or refuse each; complete
        the campaign when nothing is pending or in flight any more."""
        record = await self._record()
        skipped = _skip_reason(record.campaign, now)
        if skipped == "ended":  # past its end: what was not dialled stays counted as waiting
            return RoundReport(completed=await self._complete(now), skipped=skipped)
        if skipped:
            return RoundReport(skipped=skipped)
        counts = await self._ports.attempts.counts(self._id, now)
        if not counts.waiting:
            return RoundReport(completed=await self._complete(now), skipped="completed")
        in_flight = sum(counts.waiting.get(k, 0) for k in IN_FLIGHT)
        stats = PacingStats(in_flight, in_flight, counts.waiting.get("due", 0), self._bucket)
        limit = calls_to_place(stats, self._settings.limits, now)
        claimed = await self._ports.attempts.claim(self._id, limit, now, self._settings.claimer)
        report = RoundReport(claimed=len(claimed))
        facts = await gate_facts(
            self._ports,
            [t for _, t in claimed],
            self._rules,
            now,
            campaign_type=record.campaign.type,
            arrears=self._ports.arrears,
        )
        for attempt, target in claimed:
            dial = facts.context(record.campaign.type, target, record.window)
            await self._one(record.campaign, dial, attempt, target, facts, now, report)
        self._bucket = self._bucket.spend(report.placed, self._settings.limits, now)
        return report

    async def _one(
        self,
        campaign: Campaign,
        dial: DialContext,
        attempt: Attempt,
        target: Target,
        facts: GateFacts,
        now: datetime,
        report: RoundReport,
    ) -> None:
        refusal = check(dial, facts.history(target), self._rules, now)
        if refusal is None:
            await self._dial(campaign, attempt, target, now, report)
            return
        retry_at = _before_end(campaign, refusal.retry_at)
        await self._ports.attempts.record_result(
            attempt.id, AttemptResult.REFUSED, now, reason=refusal.reason, retry_at=retry_at
        )
        report.refused[refusal.reason.value] = report.refused.get(refusal.reason.value, 0) + 1
        log.info("attempt %s to %s refused: %s", attempt_key(attempt), mask(target.phone), refusal)

    async def _dial(
        self, campaign: Campaign, attempt: Attempt, target: Target, now: datetime, r: RoundReport
    ) -> None:
        attempts = self._ports.attempts
        if await attempts.mark_sending(attempt.id, now) is None:
            return  # moved by someone else meanwhile: not ours any more
        request = self._request(campaign, attempt, target)
        self._sending[request.key] = attempt.id
        try:
            provider_id = await self._gateway.place(request)
        except CallMaybePlacedError as err:
            r.maybe_placed += 1
            log.warning("attempt %s may have been placed (%s): reconcile", request.key, err)
            return
        except GatewayError as err:
            self._sending.pop(request.key, None)
            await self._gateway_failed(campaign, attempt, err, now, r)
            return
        r.placed += 1
        await self._placed(campaign, attempt, target, provider_id, now)

    async def _placed(
        self, campaign: Campaign, attempt: Attempt, target: Target, provider_id: str, now: datetime
    ) -> None:
        """sending -> placed, and the call's record opened and linked (once: the move is a
        compare-and-set; None when the result came first and placed it already)."""
        moved = await self._ports.attempts.mark_placed(attempt.id, provider_id, now)
        calls = self._ports.calls
        if moved is None or calls is None:
            return
        kind, caller_id = self._gateway.kind, self._settings.caller_id
        call_id = await calls.placed(campaign, moved, target, kind, provider_id, caller_id)
        await self._ports.attempts.link_call(attempt.id, call_id)
        now_done = await self._ports.attempts.get(attempt.id)
        if now_done is not None and now_done[0].result is not None:  # the result came first
            await calls.finished(call_id, now_done[0].result)

    async def _gateway_failed(
        self, campaign: Campaign, attempt: Attempt, err: GatewayError, now: datetime, r: RoundReport
    ) -> None:
        retry_at = None
        if err.transient:
            retry_at = self._retry_at(campaign, AttemptResult.FAILED, attempt, now)
        if retry_at is None:
            r.failed += 1
        else:
            r.retry_later += 1
        log.warning(
            "attempt %s: gateway error %s (retry at %s)", attempt_key(attempt), err, retry_at
        )
        await self._ports.attempts.record_result(
            attempt.id, AttemptResult.FAILED, now, retry_at=retry_at
        )

    async def counts(self, now: datetime) -> CampaignCounts:
        """Where the campaign's attempts stand."""
        return await self._ports.attempts.counts(self._id, now)

    async def on_result(self, key: str, result: AttemptResult, provider_id: str) -> None:
        """A call's result from the gateway (the `ResultSink`): see `finish`."""
        await self.finish(key, result, provider_id)

    async def finish(
        self, key: str, result: AttemptResult, provider_id: str
    ) -> tuple[Attempt, Target] | None:
        """The attempt is done with `result`, and the next attempt is scheduled when the
        policy retries this result; the finished attempt with its target. A result for an
        attempt already done (a repeated event) changes nothing (None). The callee's stop
        key opts the number out for every campaign."""
        found = await self._find(key, provider_id)
        if found is None:
            log.warning("result %s for unknown attempt %s (call %s)", result, key, provider_id)
            return None
        attempt, target = found
        now = self._clock.now()
        campaign = (await self._record()).campaign
        if attempt.state is AttemptState.SENDING:
            await self._placed(campaign, attempt, target, provider_id, now)
        retry_at = self._retry_at(campaign, result, attempt, now)
        done = await self._ports.attempts.record_result(attempt.id, result, now, retry_at=retry_at)
        self._sending.pop(key, None)
        if done is None:
            return None  # a repeated result
        if result is AttemptResult.OPTED_OUT:
            source = f"campaign:{self._id}"
            await self._ports.opt_outs.add(target.phone, now, source, target.customer_id)
        if done.call_id is not None and self._ports.calls is not None:
            await self._ports.calls.finished(done.call_id, result)
        return done, target

    async def connected(self, key: str, provider_id: str) -> tuple[Attempt, Target] | None:
        """The attempt whose call was just answered, placed and with its call record (when
        the answer came before the gateway's reply, it is placed here, once); None when no
        attempt has that key (or the provider id belongs to another)."""
        found = await self._find(key, provider_id)
        if found is None:
            return None
        attempt, target = found
        if attempt.state is AttemptState.SENDING:
            campaign = (await self._record()).campaign
            await self._placed(campaign, attempt, target, provider_id, self._clock.now())
            found = await self._ports.attempts.get(attempt.id) or found
        return found

    async def _find(self, key: str, provider_id: str) -> tuple[Attempt, Target] | None:
        attempts = self._ports.attempts
        attempt_id = self._sending.get(key)
        found = await attempts.get(attempt_id) if attempt_id else None
        found = found or await attempts.find_by_provider(provider_id)
        if found is None:  # sent before a crash, the provider id never stored
            stuck = await attempts.stuck_sending(self._id)
            found = next((p for p in stuck if attempt_key(p[0]) == key), None)
        if found is not None and attempt_key(found[0]) != key:
            log.warning("call %s belongs to %s, not %s", provider_id, attempt_key(found[0]), key)
            return None
        return found

    async def reconcile(self, now: datetime) -> ReconcileReport:
        """Each attempt left in `sending`: placed with the call the gateway has for it, or
        `uncertain` when it has none (for a person; never dialled again automatically).
        A failed lookup leaves the attempt for the next reconciliation."""
        campaign = (await self._record()).campaign
        placed = uncertain = unresolved = 0
        for attempt, target in await self._ports.attempts.stuck_sending(self._id):
            request = self._request(campaign, attempt, target)
            try:
                provider_id = await self._gateway.find(request, attempt.updated_at or now)
            except GatewayError as err:
                unresolved += 1
                log.warning("attempt %s: lookup failed (%s); later", request.key, err)
                continue
            if provider_id is None:
                uncertain += 1
                await self._ports.attempts.record_result(attempt.id, AttemptResult.UNCERTAIN, now)
                log.warning("attempt %s: no call at the gateway; uncertain", request.key)
            else:
                placed += 1
                await self._placed(campaign, attempt, target, provider_id, now)
        return ReconcileReport(placed, uncertain, unresolved)

    def _request(self, campaign: Campaign, attempt: Attempt, target: Target) -> DialRequest:
        s = self._settings
        return DialRequest(
            key=attempt_key(attempt),
            attempt_id=attempt.id,
            to=target.phone,
            caller_id=s.caller_id,
            campaign_type=campaign.type,
            flow=campaign.type.value,
            machine_detection=s.machine_detection,
            ring_seconds=s.ring_seconds,
            variables=dict(target.values),
        )

    def _retry_at(
        self, campaign: Campaign, result: AttemptResult, attempt: Attempt, now: datetime
    ) -> datetime | None:
        retry_at = next_try(
            result, attempt.attempt_no, self._rules, now, max_attempts=campaign.max_attempts
        )
        return _before_end(campaign, retry_at)

    async def _record(self) -> CampaignRecord:
        record = await self._ports.campaigns.get(self._id)
        if record is None:
            raise NoSuchCampaignError(f"no campaign {self._id}")
        return record

    async def _complete(self, now: datetime) -> bool:
        try:
            await self._ports.campaigns.set_state(
                self._id, CampaignState.COMPLETED, [CampaignState.RUNNING], now
            )
        except CampaignStateError:
            return False  # paused or cancelled meanwhile
        log.info("campaign %d completed", self._id)
        return True


def _skip_reason(campaign: Campaign, now: datetime) -> str | None:
    if campaign.state is not CampaignState.RUNNING:
        return "not-running"
    if campaign.start_at is not None and now < campaign.start_at:
        return "not-started"
    if campaign.end_at is not None and now >= campaign.end_at:
        return "ended"
    return None


def _before_end(campaign: Campaign, retry_at: datetime | None) -> datetime | None:
    if retry_at is None or (campaign.end_at is not None and retry_at >= campaign.end_at):
        return None
    return retry_at
