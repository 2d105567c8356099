"""The facts a predictive campaign is paced on, read through the ports: its agents now (ready,
wrapping up, on calls, from the ACD), its calls in flight, and its results in the abandon
cap's window (from SQL, re-read every few seconds, not every round); then the pure decision
(`outbound.predictive.calls_to_place`). The last decision is kept for the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.core.policy import OutboundRules
from outbound.abandon import AbandonStats, CapState, cap_state
from outbound.assisted import AgentSeats, queue_of
from outbound.dialer_parts import DialerPorts, DialerSettings
from outbound.models import AttemptResult, Campaign
from outbound.predictive import (
    PacingDecision,
    PredictivePolicy,
    PredictiveStats,
    calls_to_place,
    soon_ready,
)

R = AttemptResult
LIVE = frozenset({R.ANSWERED, R.CONFIRMED, R.OPTED_OUT, R.ABANDONED})  # a person answered
NOT_A_CALL = frozenset({R.REFUSED, R.SKIPPED, R.UNCERTAIN})  # no outcome of a ring
RECENT = timedelta(hours=1)  # the answer rate is the last hour's
REFRESH = timedelta(seconds=5)  # the results are re-read at most this often


class ResultCounts(Protocol):
    """Finished attempts of a campaign by result since a time."""

    async def results_since(self, campaign_id: int, since: datetime) -> dict[str, int]:
        """Attempts done at or after `since`, by result."""


@dataclass(frozen=True, slots=True)
class Ledger:
    """A campaign's results: in the cap's window, and in the last hour."""

    abandon: AbandonStats
    recent_ended: int
    recent_answered: int
    at: datetime


def _live(counts: dict[str, int]) -> tuple[int, int]:
    live = sum(counts.get(r.value, 0) for r in LIVE)
    return live, counts.get(R.ABANDONED.value, 0)


@dataclass(slots=True)
class PredictivePacer:
    """Paces one predictive campaign (held by its dialer)."""

    seats: AgentSeats
    results: ResultCounts
    rules: OutboundRules
    mean_handle: timedelta
    ring: timedelta
    last: PacingDecision | None = None
    _ledger: Ledger | None = field(default=None, repr=False)

    def policy(self) -> PredictivePolicy:
        """The pack's rules, aiming just under the cap (its margin)."""
        rules = self.rules.predictive
        target = max(0.0, rules.abandon_cap - rules.near_cap_margin)
        return PredictivePolicy(rules, target_abandon=target)

    async def ledger(self, campaign_id: int, now: datetime, *, fresh: bool = False) -> Ledger:
        """The results, re-read when older than `REFRESH` (or `fresh`)."""
        known = self._ledger
        if known is not None and now - known.at < REFRESH and not fresh:
            return known
        window = self.rules.predictive.abandon_window
        live, abandoned = _live(await self.results.results_since(campaign_id, now - window))
        recent = await self.results.results_since(campaign_id, now - RECENT)
        ended = sum(n for r, n in recent.items() if r not in {x.value for x in NOT_A_CALL})
        answered, _ = _live(recent)
        self._ledger = Ledger(AbandonStats(live, abandoned), ended, answered, now)
        return self._ledger

    async def cap(self, campaign_id: int, now: datetime) -> CapState:
        """Where the campaign stands against the abandon cap now (re-read)."""
        ledger = await self.ledger(campaign_id, now, fresh=True)
        return cap_state(ledger.abandon, self.rules.predictive)

    async def decide(self, campaign: Campaign, ringing: int, now: datetime) -> PacingDecision:
        """How many calls to place now (`ringing`: placed, not yet over)."""
        load = await self.seats.load(queue_of(campaign), now)
        ledger = await self.ledger(campaign.id, now)
        horizon = self.ring + self.rules.predictive.connect_within
        stats = PredictiveStats(
            ready_agents=load.ready,
            soon_ready_agents=soon_ready(
                load.wrap_up_ends, load.call_starts, now, self.mean_handle, horizon
            ),
            ringing=ringing,
            recent_ended=ledger.recent_ended,
            recent_answered=min(ledger.recent_answered, ledger.recent_ended),
            mean_handle=self.mean_handle,
            abandon=ledger.abandon,
        )
        self.last = calls_to_place(stats, self.policy(), now)
        return self.last


def predictive_pacer(
    ports: DialerPorts, rules: OutboundRules, settings: DialerSettings
) -> PredictivePacer | None:
    """The pacer of a dialer whose campaign may be predictive (None without an ACD)."""
    if ports.seats is None:
        return None
    return PredictivePacer(
        ports.seats,
        ports.attempts,
        rules,
        timedelta(seconds=settings.handle_seconds),
        timedelta(seconds=settings.ring_seconds),
    )
