"""The dialer of one campaign: rounds that claim due attempts, pass each through the
compliance gate and place the allowed ones; the results the gateway reports; and the
reconciliation of attempts a crash left in `sending` (never redialled blindly).

A round's calls go to the gateway at once, its moves in one transaction per step. Pure of
I/O except through the ports; the time comes from the injected clock or the round's `now`.
Every attempt transition is the store's compare-and-set: a repeated result or a second
dialer on the same campaign changes nothing twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from callcenter.core.clock import Clock
from callcenter.core.phone import mask
from callcenter.core.policy import OutboundRules
from outbound.assisted import HELD_MODES, agent_limit, hold_for_agents, unqueue_lost
from outbound.dialer_parts import (
    DialerPorts,
    DialerSettings,
    ReconcileReport,
    RoundReport,
    attempt_key,
    before_end,
    dial_request,
    skip_reason,
)
from outbound.gate import DialContext, check
from outbound.gateway import CallMaybePlacedError, Gateway, GatewayError
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
from outbound.pacing import PacingStats, calls_to_place, full_bucket, next_try
from outbound.predictive_dialing import predictive_pacer

log = logging.getLogger(__name__)
IN_FLIGHT = ("claimed", "queued", "sending", "placed")
__all__ = ["Dialer", "DialerPorts", "DialerSettings", "ReconcileReport", "RoundReport"]
__all__ += ["attempt_key"]


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
        self.pacer = predictive_pacer(ports, rules, settings)  # None without an ACD

    async def take_over(self, now: datetime) -> ReconcileReport:
        """Release the claims a previous dialer left (never sent: safe to dial again) and
        reconcile the attempts it left in `sending`."""
        released = await self._ports.attempts.release_claims(self._id, now)
        released += await unqueue_lost(self._ports.seats, self._ports.attempts, self._id, now)
        if released:
            log.info("campaign %d: %d claimed or queued attempts released", self._id, released)
        return await self.reconcile(now)

    async def round(self, now: datetime) -> RoundReport:
        """Claim as many due attempts as pacing allows and dial or refuse each; complete
        the campaign when nothing is pending or in flight any more."""
        record = await self._record()
        skipped = skip_reason(record.campaign, now)
        if skipped == "ended":  # past its end: what was not dialled stays counted as waiting
            return RoundReport(completed=await self._complete(now), skipped=skipped)
        if skipped:
            return RoundReport(skipped=skipped)
        waiting = await self._ports.attempts.waiting(self._id, now)
        if not waiting:
            return RoundReport(completed=await self._complete(now), skipped="completed")
        in_flight = sum(waiting.get(k, 0) for k in IN_FLIGHT)
        stats = PacingStats(in_flight, in_flight, waiting.get("due", 0), self._bucket)
        limit = calls_to_place(stats, self._settings.limits, now)
        limit = await agent_limit(
            self._ports.seats, self.pacer, record.campaign, limit, waiting, now
        )
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
        allowed = []
        for attempt, target in claimed:
            dial = facts.context(record.campaign.type, target, record.window)
            if await self._allowed(record.campaign, dial, attempt, target, facts, now, report):
                allowed.append((attempt, target))
        if record.campaign.mode in HELD_MODES and allowed:
            p, caller_id = self._ports, self._settings.caller_id
            args = (p.seats, p.attempts, p.calls, record.campaign, allowed, now, caller_id)
            report.held = await hold_for_agents(*args, self._gateway.kind)
        else:
            await self._dial(record.campaign, allowed, now, report)
        self._bucket = self._bucket.spend(report.placed, self._settings.limits, now)
        return report

    async def _allowed(
        self,
        campaign: Campaign,
        dial: DialContext,
        attempt: Attempt,
        target: Target,
        facts: GateFacts,
        now: datetime,
        report: RoundReport,
    ) -> bool:
        """True when the gate lets the attempt through; else its refusal is recorded."""
        refusal = check(dial, facts.history(target), self._rules, now)
        if refusal is None:
            return True
        retry_at = before_end(campaign, refusal.retry_at)
        await self._ports.attempts.record_result(
            attempt.id, AttemptResult.REFUSED, now, reason=refusal.reason, retry_at=retry_at
        )
        report.refused[refusal.reason.value] = report.refused.get(refusal.reason.value, 0) + 1
        log.info(
            "attempt %s to %s refused: %s (%s)",
            attempt_key(attempt),
            mask(target.phone),
            refusal.reason.value,
            refusal.message,
        )
        return False

    async def _dial(
        self,
        campaign: Campaign,
        allowed: list[tuple[Attempt, Target]],
        now: datetime,
        r: RoundReport,
    ) -> None:
        """The allowed attempts to `sending` (one transaction), their requests to the
        gateway at once (its pacer spaces and caps them), the placed ones to `placed`."""
        if not allowed:
            return
        moved = await self._ports.attempts.mark_sending_many([a.id for a, _ in allowed], now)
        ours = {a.id for a in moved}  # the others were moved by someone else meanwhile
        batch = [
            (a, t, dial_request(campaign, a, t, self._settings)) for a, t in allowed if a.id in ours
        ]
        for _, _, request in batch:
            self._sending[request.key] = request.attempt_id
        answers = await asyncio.gather(
            *(self._gateway.place(req) for _, _, req in batch), return_exceptions=True
        )
        placed: list[tuple[Attempt, Target, str]] = []
        unexpected: BaseException | None = None
        for (attempt, target, request), answer in zip(batch, answers, strict=True):
            if isinstance(answer, str):
                placed.append((attempt, target, answer))
            elif isinstance(answer, CallMaybePlacedError):
                r.maybe_placed += 1
                log.warning("attempt %s may have been placed (%s): reconcile", request.key, answer)
            elif isinstance(answer, GatewayError):
                self._sending.pop(request.key, None)
                await self._gateway_failed(campaign, attempt, answer, now, r)
            else:  # a bug: left in `sending` for the reconciliation, raised once marked
                unexpected = unexpected or answer
        r.placed += len(placed)
        await self._placed_many(campaign, placed, now)
        if unexpected is not None:
            raise unexpected

    async def dial_reserved(self, call_id: str, agent_id: int) -> bool:
        """An agent is reserved for the queued attempt of call `call_id`: dial it now (once:
        False when it is not queued any more, or the gateway refused it)."""
        attempts, now = self._ports.attempts, self._clock.now()
        found = await attempts.find_by_call(call_id)
        campaign = (await self._record()).campaign
        if found is not None and skip_reason(campaign, now) is not None:
            await attempts.unqueue(found[0].id, now)  # paused or over: back to pending
            return False
        if found is None or await attempts.reserve_agent(found[0].id, agent_id, now) is None:
            return False
        report = RoundReport()
        await self._dial(campaign, [found], now, report)
        self._bucket = self._bucket.spend(report.placed, self._settings.limits, now)
        return report.placed + report.maybe_placed > 0

    async def _placed_many(
        self, campaign: Campaign, placed: list[tuple[Attempt, Target, str]], now: datetime
    ) -> None:
        """sending -> placed in one transaction (unless a result came first), call records
        opened and linked; placed, an attempt is found by its provider id, not its key."""
        if not placed:
            return
        pairs = [(a.id, provider_id) for a, _, provider_id in placed]
        moved = {a.id: a for a in await self._ports.attempts.mark_placed_many(pairs, now)}
        for attempt, _, _ in placed:
            if attempt.id in moved:
                self._sending.pop(attempt_key(attempt), None)
        calls, kind, caller_id = self._ports.calls, self._gateway.kind, self._settings.caller_id
        if calls is None or not moved:
            return
        links = []
        for a, t, provider_id in placed:
            if a.id not in moved:
                continue
            if a.call_id is not None:  # opened while it waited for an agent
                await calls.dialled(a.call_id, kind, provider_id)
                continue
            links.append((a.id, await calls.placed(campaign, a, t, kind, provider_id, caller_id)))
        await self._ports.attempts.link_calls(links)
        for attempt_id, call_id in links:  # a result that came first closes its record now
            done = await self._ports.attempts.get(attempt_id)
            if done is not None and done[0].result is not None:
                await calls.finished(call_id, done[0].result)

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

    async def skip(self, call_id: str, agent_id: int, reason: str) -> bool:
        """The reserved agent skipped the previewed attempt of call `call_id` (`reason` on
        the call record): done, `skipped`, never retried. False when it is not queued."""
        found = await self._ports.attempts.find_by_call(call_id)
        if found is None or found[0].state is not AttemptState.QUEUED:
            return False
        now = self._clock.now()
        done = await self._ports.attempts.record_result(found[0].id, AttemptResult.SKIPPED, now)
        if done is None:
            return False
        log.info("attempt %s skipped by agent %d: %s", attempt_key(done), agent_id, reason)
        if self._ports.calls is not None:
            await self._ports.calls.finished(call_id, AttemptResult.SKIPPED)
        return True

    async def counts(self, now: datetime) -> CampaignCounts:
        """Where the campaign's attempts stand."""
        return await self._ports.attempts.counts(self._id, now)

    async def waiting(self, now: datetime) -> dict[str, int]:
        """The unfinished attempts by why they wait (cheap: see `AttemptStore.waiting`)."""
        return await self._ports.attempts.waiting(self._id, now)

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
            await self._placed_many(campaign, [(attempt, target, provider_id)], now)
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
            await self._placed_many(campaign, [(attempt, target, provider_id)], self._clock.now())
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
        stuck = await self._ports.attempts.stuck_sending(self._id)
        requests = [
            (dial_request(campaign, a, t, self._settings), a.updated_at or now) for a, t in stuck
        ]
        finds = (self._gateway.find(r, since) for r, since in requests)  # the pacer caps them
        found = await asyncio.gather(*finds, return_exceptions=True)
        placed: list[tuple[Attempt, Target, str]] = []
        uncertain = unresolved = 0
        for (attempt, target), (request, _), provider_id in zip(
            stuck, requests, found, strict=True
        ):
            if isinstance(provider_id, str):
                placed.append((attempt, target, provider_id))
            elif provider_id is None:
                uncertain += 1
                await self._ports.attempts.record_result(attempt.id, AttemptResult.UNCERTAIN, now)
                log.warning("attempt %s: no call at the gateway; uncertain", request.key)
            elif isinstance(provider_id, GatewayError):
                unresolved += 1
                log.warning("attempt %s: lookup failed (%s); later", request.key, provider_id)
            else:
                raise provider_id
        await self._placed_many(campaign, placed, now)
        return ReconcileReport(len(placed), uncertain, unresolved)

    def _retry_at(
        self, campaign: Campaign, result: AttemptResult, attempt: Attempt, now: datetime
    ) -> datetime | None:
        retry_at = next_try(
            result, attempt.attempt_no, self._rules, now, max_attempts=campaign.max_attempts
        )
        return before_end(campaign, retry_at)

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
