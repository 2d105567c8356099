"""Predictive and progressive pacing: `calls_to_place` over a table of campaign states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.policy import CN_PREDICTIVE, UK_PREDICTIVE
from outbound.abandon import AbandonStats
from outbound.predictive import (
    PacingDecision,
    PredictivePolicy,
    PredictiveStats,
    answer_rate,
    calls_to_place,
    soon_ready,
)

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
POLICY = PredictivePolicy(CN_PREDICTIVE)
CLEAR = AbandonStats(1000, 5)  # 0.5 %: far from the cap
NEAR = AbandonStats(1000, 27)  # 2.7 %
OVER = AbandonStats(1000, 40)


def stats(
    ready: int = 10,
    soon: int = 0,
    ringing: int = 0,
    ended: int = 1000,
    answered: int = 300,
    abandon: AbandonStats = CLEAR,
    late: int = 0,
) -> PredictiveStats:
    return PredictiveStats(
        ready, soon, ringing, ended, answered, timedelta(seconds=180), abandon, late
    )


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(stats(ready=0), id="clear"),
        pytest.param(stats(ready=0, abandon=NEAR), id="near"),
        pytest.param(stats(ready=0, ringing=5), id="ringing"),
        pytest.param(stats(ready=0, ended=0, answered=0), id="no-history"),
    ],
)
def test_no_agents_no_calls(state: PredictiveStats) -> None:
    assert calls_to_place(state, POLICY, NOW).calls == 0


@pytest.mark.parametrize(
    ("ready", "ringing", "expected"),
    [
        pytest.param(10, 0, 10, id="all-free"),
        pytest.param(10, 4, 6, id="some-reserved"),
        pytest.param(10, 10, 0, id="all-reserved"),
        pytest.param(3, 8, 0, id="more-ringing-never-negative"),
        pytest.param(1, 0, 1, id="one-agent"),
    ],
)
def test_near_the_cap_progressive_is_ready_minus_ringing(
    ready: int, ringing: int, expected: int
) -> None:
    decision = calls_to_place(stats(ready, soon=5, ringing=ringing, abandon=NEAR), POLICY, NOW)
    assert decision == PacingDecision(
        expected, "progressive", "abandon rate 2.7 % near the 3 % cap: progressive"
    )


def test_over_the_cap_is_progressive_with_the_reason() -> None:
    decision = calls_to_place(stats(ready=10, abandon=OVER), POLICY, NOW)
    assert (decision.calls, decision.mode) == (10, "progressive")
    assert decision.reason == "abandon rate 4.0 % over the 3 % cap: progressive"


@pytest.mark.parametrize(
    ("ready", "soon", "ringing"),
    [
        pytest.param(1, 0, 0, id="one-agent"),
        pytest.param(10, 0, 0, id="ten-agents"),
        pytest.param(10, 5, 3, id="soon-ready-and-ringing"),
        pytest.param(50, 0, 0, id="fifty-agents"),
        pytest.param(5, 0, 30, id="many-ringing"),
        pytest.param(0, 6, 0, id="only-soon-ready"),
    ],
)
def test_predictive_never_below_progressive_far_from_the_cap(
    ready: int, soon: int, ringing: int
) -> None:
    decision = calls_to_place(stats(ready, soon, ringing), POLICY, NOW)
    assert decision.mode == "predictive"
    assert decision.reason is None
    assert decision.calls >= max(0, ready - ringing)


@pytest.mark.parametrize("ready", [10, 20, 50])
def test_predictive_dials_more_than_one_line_per_agent(ready: int) -> None:
    assert calls_to_place(stats(ready), POLICY, NOW).calls > ready


@pytest.mark.parametrize("ready", [1, 10, 50])
def test_lines_per_agent_are_capped(ready: int) -> None:
    loose = replace(POLICY, max_ratio=1.5)
    state = stats(ready, ended=1000, answered=10)  # 1 % answer: the model would dial hundreds
    assert calls_to_place(state, loose, NOW).calls <= 1.5 * ready


@pytest.mark.parametrize(
    ("ended", "answered", "low", "high"),
    [
        pytest.param(0, 0, 0.5, 0.5, id="no-history-is-the-prior"),
        pytest.param(2, 0, 0.45, 0.48, id="two-unanswered-barely-move-it"),
        pytest.param(10_000, 3000, 0.299, 0.302, id="long-history-is-the-history"),
    ],
)
def test_answer_rate_prior(ended: int, answered: int, low: float, high: float) -> None:
    assert low <= answer_rate(stats(ended=ended, answered=answered), POLICY) <= high


def test_two_unanswered_calls_do_not_make_it_overdial() -> None:
    fresh = calls_to_place(stats(20, ended=0, answered=0), POLICY, NOW).calls
    two_misses = calls_to_place(stats(20, ended=2, answered=0), POLICY, NOW).calls
    known_low = calls_to_place(stats(20, ended=10_000, answered=1000), POLICY, NOW).calls
    assert fresh <= two_misses <= fresh + 2 < known_low


@pytest.mark.parametrize(
    "base",
    [
        pytest.param(stats(), id="clear"),
        pytest.param(stats(soon=4, ringing=6), id="soon-and-ringing"),
        pytest.param(stats(abandon=NEAR, ringing=3), id="near"),
        pytest.param(stats(ended=3, answered=1), id="little-history"),
    ],
)
def test_monotonic_in_ready_agents(base: PredictiveStats) -> None:
    calls = [
        calls_to_place(replace(base, ready_agents=ready), POLICY, NOW).calls for ready in range(61)
    ]
    assert calls == sorted(calls)


def test_late_ringing_calls_are_lines_not_answers() -> None:
    young = calls_to_place(stats(10, ringing=10), POLICY, NOW).calls
    late = calls_to_place(stats(10, ringing=10, late=10), POLICY, NOW).calls
    assert late > young


def test_near_cap_follows_the_pack() -> None:
    uk = PredictivePolicy(UK_PREDICTIVE)
    assert calls_to_place(stats(8, abandon=AbandonStats(100, 3)), uk, NOW).mode == "progressive"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: stats(ready=-1), id="negative-ready"),
        pytest.param(lambda: stats(ended=2, answered=3), id="more-answered-than-ended"),
        pytest.param(lambda: stats(ringing=2, late=3), id="more-late-than-ringing"),
        pytest.param(lambda: replace(POLICY, max_ratio=0.5), id="ratio-below-one"),
        pytest.param(lambda: replace(POLICY, target_abandon=0.05), id="target-above-cap"),
        pytest.param(lambda: replace(POLICY, prior_answer_rate=0.0), id="zero-prior"),
    ],
)
def test_bad_input_is_refused(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_soon_ready_counts_ending_wrap_ups_and_long_calls() -> None:
    horizon, mean = timedelta(seconds=14), timedelta(seconds=180)
    wrap_ends = [NOW + timedelta(seconds=s) for s in (0, 5, 14, 15, 60)]
    call_starts = [NOW - timedelta(seconds=s) for s in (10, 179, 180, 300)]
    assert soon_ready(wrap_ends, call_starts, NOW, mean, horizon) == 3 + 2
