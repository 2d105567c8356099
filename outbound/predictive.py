"""Agent-assisted pacing, pure: how many calls to place now for a campaign whose answered calls
go to agents, in progressive or predictive mode, held under the policy pack's abandon cap.

Progressive places one call per ready agent not already waiting on a ringing call. Predictive
places enough calls that the people expected to answer (the calls ringing and the new ones)
fill the agents free by the time they answer, with a safety margin: the number of calls in
flight is the largest whose expected overflow (answers beyond the free agents, that is
abandons) stays under the policy's target share of the expected answers. The answers of N
calls are binomial (N, answer rate), approximated by a normal law; the answer rate is the
recent one pulled towards a prior while few calls have ended, so that two unanswered calls
do not make it dial dozens. Near or over the cap pacing is progressive, and says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from callcenter.core.policy import PredictiveRules
from outbound.abandon import AbandonStats, cap_state

PacingMode = Literal["predictive", "progressive"]


@dataclass(frozen=True, slots=True)
class PredictiveStats:
    """The campaign's state at the decision.

    `ready_agents`: agents of the campaign's queue that are ready, counting those reserved
    for a call still ringing (progressive); `soon_ready_agents`: agents in wrap-up ending
    within the expected ring + connect time, or on calls longer than `mean_handle` (see
    `soon_ready`); `ringing`: calls placed and not yet connected or ended (machines under
    detection included); `recent_ended` / `recent_answered`: recent calls whose outcome is
    known and, of them, the ones a person answered; `abandon`: the cap's window;
    `ringing_late`: the ringing calls older than the policy's `answer_window`, that hardly
    anyone answers any more (counted as lines, not as expected answers)."""

    ready_agents: int
    soon_ready_agents: int
    ringing: int
    recent_ended: int
    recent_answered: int
    mean_handle: timedelta
    abandon: AbandonStats
    ringing_late: int = 0  # of `ringing`: longer than the policy's answer window

    def __post_init__(self) -> None:
        counts = (self.ready_agents, self.soon_ready_agents, self.ringing, self.recent_ended)
        if (
            min(counts) < 0
            or not 0 <= self.recent_answered <= self.recent_ended
            or not 0 <= self.ringing_late <= self.ringing
        ):
            raise ValueError(f"inconsistent predictive pacing counts: {self}")


@dataclass(frozen=True, slots=True)
class PredictivePolicy:
    """The pack's rules, the most lines per available agent, the abandon share aimed at
    (at most the cap), and the answer-rate prior: its rate and its weight in calls."""

    rules: PredictiveRules
    max_ratio: float = 3.0
    target_abandon: float = 0.03
    prior_answer_rate: float = 0.5
    prior_weight: int = 30
    soon_ready_weight: float = 0.3  # a soon-ready agent counts as this much of a ready one
    answer_window: timedelta = timedelta(seconds=20)  # people answer within this, or not

    def __post_init__(self) -> None:
        if self.max_ratio < 1:
            raise ValueError(f"max_ratio must be at least 1 line per agent, not {self.max_ratio}")
        if not 0 <= self.target_abandon <= self.rules.abandon_cap:
            raise ValueError(
                f"target_abandon {self.target_abandon} must lie between 0 and the cap"
                f" {self.rules.abandon_cap}"
            )
        if not 0 < self.prior_answer_rate <= 1 or self.prior_weight < 1:
            raise ValueError("the answer-rate prior needs a rate in (0, 1] and a weight >= 1")


@dataclass(frozen=True, slots=True)
class PacingDecision:
    """Calls to place now, the mode that decided it, and why when it is not the campaign's
    own mode (e.g. near the abandon cap)."""

    calls: int
    mode: PacingMode
    reason: str | None = None


def soon_ready(
    wrap_up_ends: Iterable[datetime],
    call_starts: Iterable[datetime],
    now: datetime,
    mean_handle: timedelta,
    horizon: timedelta,
) -> int:
    """Agents soon ready: in wrap-up ending within `horizon` (the expected ring + connect
    time), or on a call that started more than `mean_handle` ago."""
    wrapping = sum(1 for end in wrap_up_ends if end <= now + horizon)
    long_calls = sum(1 for start in call_starts if now - start >= mean_handle)
    return wrapping + long_calls


def answer_rate(stats: PredictiveStats, policy: PredictivePolicy) -> float:
    """The recent live-answer rate pulled towards the policy's prior (weight in calls)."""
    prior = policy.prior_weight
    answered = stats.recent_answered + policy.prior_answer_rate * prior
    return answered / (stats.recent_ended + prior)


def progressive_calls(stats: PredictiveStats) -> int:
    """One call per ready agent that no ringing call is already meant for."""
    return max(0, stats.ready_agents - stats.ringing)


def overflow_share(lines: int, agents: float, rate: float) -> float:
    """Expected answers beyond `agents` over expected answers, for `lines` calls each
    answered with probability `rate` (normal approximation, continuity-corrected)."""
    mean = rate * lines
    if mean <= 0:
        return 0.0
    excess = mean - (agents + 0.5)
    spread = math.sqrt(rate * (1 - rate) * lines)
    if spread == 0:
        return max(excess, 0.0) / mean
    z = excess / spread
    tail = 0.5 * math.erfc(-z / math.sqrt(2))
    density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return (excess * tail + spread * density) / mean


def predictive_lines(agents: float, rate: float, policy: PredictivePolicy) -> int:
    """The most calls in flight whose expected abandon share stays under the target, at most
    `max_ratio` lines per available agent (binary search: the share grows with the lines)."""
    low, high = 0, math.floor(policy.max_ratio * agents + 1e-9)
    while low < high:
        middle = (low + high + 1) // 2
        if overflow_share(middle, agents, rate) <= policy.target_abandon:
            low = middle
        else:
            high = middle - 1
    return low


def calls_to_place(
    stats: PredictiveStats, policy: PredictivePolicy, now: datetime
) -> PacingDecision:
    """How many calls to place now: predictive while the abandon rate is clear of the cap
    (never fewer than progressive would), progressive near or over it, with the reason."""
    del now  # the counts are taken at `now`; the decision itself reads no clock
    state = cap_state(stats.abandon, policy.rules)
    progressive = progressive_calls(stats)
    if state.near_cap:
        return PacingDecision(progressive, "progressive", state.reason)
    agents = stats.ready_agents + policy.soon_ready_weight * stats.soon_ready_agents
    lines = predictive_lines(agents, answer_rate(stats, policy), policy)
    return PacingDecision(
        max(progressive, lines - (stats.ringing - stats.ringing_late)), "predictive"
    )
