"""A dry run of the compliance gate over a target query: of the first candidates (at most
`CHECK_LIMIT`), how many the gate would refuse if they were dialled now, by reason.

It runs the real pure gate (`outbound.gate.check`) with the real contact-history facts the
dialer reads (`outbound.history.gate_facts`); nothing is written. The campaign's own daily
window narrows the calling hours as it will when the campaign runs."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.clock import Clock
from callcenter.core.policy import OutboundRules
from outbound import gate
from outbound.history import FactStores, gate_facts
from outbound.models import CampaignType, Candidate, DailyWindow, Target, TargetQuery
from outbound.ports import ArrearsStore, TargetStore

CHECK_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class GateDryRun:
    """How many targets the query finds now, the first `sample` of them, and the refusals
    the gate would make today among the first `checked` (by reason)."""

    count: int
    sample: tuple[Candidate, ...]
    checked: int
    refusals: dict[str, int]


def _as_target(candidate: Candidate) -> Target:
    """The gate's view of a candidate not stored yet (no ids)."""
    return Target(
        id=0,
        campaign_id=0,
        customer_id=candidate.customer_id,
        account_id=candidate.account_id,
        phone=candidate.phone,
        values=candidate.values,
        vulnerable=candidate.vulnerable,
        area=candidate.area,
        disputed=candidate.disputed,
    )


class GatePreview:
    """Dry runs of the gate over a query's first candidates (reads only)."""

    def __init__(
        self,
        targets: TargetStore,
        facts: FactStores,
        arrears: ArrearsStore,
        rules: OutboundRules,
        clock: Clock,
        *,
        limit: int = CHECK_LIMIT,
    ) -> None:
        self._targets = targets
        self._facts = facts
        self._arrears = arrears
        self._rules = rules
        self._clock = clock
        self.limit = limit

    async def run(
        self,
        campaign_type: CampaignType,
        query: TargetQuery,
        *,
        csv: str | None = None,
        sample: int = 10,
        window: DailyWindow | None = None,
    ) -> GateDryRun:
        """The query's count and sample, and the gate's refusals by reason among its first
        `limit` candidates, for a campaign of `campaign_type` in its daily `window`, now."""
        now = self._clock.now()
        found = await self._targets.preview(query, now, max(sample, self.limit), csv)
        targets = [_as_target(c) for c in found.sample[: self.limit]]
        facts = await gate_facts(
            self._facts,
            targets,
            self._rules,
            now,
            campaign_type=campaign_type,
            arrears=self._arrears,
        )
        refusals: dict[str, int] = {}
        for target in targets:
            dial = facts.context(campaign_type, target, window)
            refusal = gate.check(dial, facts.history(target), self._rules, now)
            if refusal is not None:
                reason = refusal.reason.value
                refusals[reason] = refusals.get(reason, 0) + 1
        return GateDryRun(found.count, found.sample[:sample], len(targets), refusals)
