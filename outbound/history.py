"""What the gate needs to know about a batch of targets, read from the stores in a few
queries: opted-out numbers, areas suspended now, and each customer's recent dials.

The stores count dials (attempts that reached `sending`) per customer, not each dial's
time and outcome; `history_from_counts` turns those counts into the gate's
`ContactHistory`: today's dials at `now` (reached, except the unanswered arrears calls), the
month's older dials just before the callee's midnight. So the caps hold; a monthly cap's
retry time is at or after the true one (never earlier: the safe side)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.core.policy import OutboundRules
from outbound import gate
from outbound.models import (
    ArrearsSequence,
    AttemptResult,
    CampaignType,
    ContactCounts,
    DailyWindow,
    Target,
)
from outbound.ports import AreaSuspensions, ArrearsStore, ContactHistory, OptOuts

Past = gate.PastAttempt
_JUST_BEFORE = timedelta(microseconds=1)


class FactStores(Protocol):
    """The stores `gate_facts` reads (the dialer's ports have them)."""

    @property
    def history(self) -> ContactHistory: ...

    @property
    def opt_outs(self) -> OptOuts: ...

    @property
    def suspensions(self) -> AreaSuspensions: ...


@dataclass(frozen=True, slots=True)
class GateFacts:
    """The stores' facts for a batch of targets at `now`."""

    now: datetime
    opted_out: set[str] = field(default_factory=set)
    suspended_areas: frozenset[str] = frozenset()
    counts: dict[int, tuple[datetime, ContactCounts]] = field(default_factory=dict)
    sequences: dict[int, ArrearsSequence] = field(default_factory=dict)  # by account

    def context(
        self, campaign_type: CampaignType, target: Target, window: DailyWindow | None = None
    ) -> gate.DialContext:
        """The gate's view of one dial of `target` (in the campaign's daily `window`)."""
        return gate.DialContext.for_target(
            campaign_type,
            target,
            opted_out=target.phone in self.opted_out,
            suspended_areas=self.suspended_areas,
            hours=(window.start, window.end) if window is not None else None,
            sequence=self.sequences.get(target.account_id),
        )

    def history(self, target: Target) -> gate.ContactHistory:
        """The gate's view of the target's customer's recent dials."""
        day_start, counts = self.counts.get(target.customer_id, (self.now, ContactCounts()))
        return history_from_counts(counts, day_start, self.now)


def day_start(phone: str, rules: OutboundRules, now: datetime) -> datetime:
    """The callee's local midnight before `now`."""
    zone = ZoneInfo(gate.callee_zone(phone, rules.default_zone))
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


SEQUENCED = frozenset({CampaignType.DISCONNECTION_NOTICE, CampaignType.RE_NOTICE})


async def gate_facts(
    stores: FactStores,
    targets: Sequence[Target],
    rules: OutboundRules,
    now: datetime,
    *,
    campaign_type: CampaignType | None = None,
    arrears: ArrearsStore | None = None,
) -> GateFacts:
    """Opt-outs, suspensions in force and contact counts for `targets` (one query each,
    the counts one per callee-local day start); for the disconnection notices of
    `campaign_type`, each account's arrears sequence from `arrears`."""
    if not targets:
        return GateFacts(now)
    sequences: dict[int, ArrearsSequence] = {}
    if campaign_type in gate.ARREARS_TYPES and arrears is not None:  # desk: promises pause all
        for account_id in sorted({t.account_id for t in targets}):
            sequence = await arrears.get(account_id)
            if sequence is not None:
                sequences[account_id] = sequence
    opted = await stores.opt_outs.opted_out(sorted({t.phone for t in targets}))
    areas = frozenset(s.area for s in await stores.suspensions.in_force(now))
    by_day: dict[datetime, set[int]] = {}
    for t in targets:
        by_day.setdefault(day_start(t.phone, rules, now), set()).add(t.customer_id)
    counts: dict[int, tuple[datetime, ContactCounts]] = {}
    for start, customers in by_day.items():
        found = await stores.history.contact_counts(sorted(customers), start, now)
        counts.update({c: (start, found.get(c, ContactCounts())) for c in customers})
    return GateFacts(now, opted, areas, counts, sequences)


def history_from_counts(
    counts: ContactCounts, day_start: datetime, now: datetime
) -> gate.ContactHistory:
    """The gate's history from the stores' counts (see the module's note)."""
    unanswered = min(counts.unanswered_arrears_today, counts.today)
    reached_today = counts.today - unanswered
    older = max(0, counts.last_30_days - counts.today)
    notice = CampaignType.OUTAGE_NOTICE
    attempts = (
        [Past(now, notice, AttemptResult.ANSWERED)] * reached_today
        + [Past(now, CampaignType.ARREARS_REMINDER, AttemptResult.NO_ANSWER)] * unanswered
        + [Past(day_start - _JUST_BEFORE, notice, AttemptResult.ANSWERED)] * older
    )
    return gate.ContactHistory(tuple(attempts))
