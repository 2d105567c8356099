"""The abandon cap of predictive dialing at its edges, per policy pack, and the uk redial rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.policy import (
    CN_OUTBOUND,
    CN_PREDICTIVE,
    UK_PREDICTIVE,
    US_PREDICTIVE,
    PredictiveRules,
    predictive_rules,
)
from outbound.abandon import AbandonStats, CapLevel, abandon_rate, cap_state, may_redial

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
PACKS = [pytest.param(name, id=name) for name in ("cn", "us", "uk")]


@pytest.mark.parametrize(
    ("live", "abandoned", "expected"),
    [
        pytest.param(0, 0, 0.0, id="nobody-answered-yet"),
        pytest.param(100, 0, 0.0, id="no-abandon"),
        pytest.param(100, 3, 0.03, id="three-in-a-hundred"),
        pytest.param(7, 7, 1.0, id="all-abandoned"),
    ],
)
def test_abandon_rate(live: int, abandoned: int, expected: float) -> None:
    assert abandon_rate(AbandonStats(live, abandoned)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("live", "abandoned"),
    [
        pytest.param(-1, 0, id="negative-answered"),
        pytest.param(5, -1, id="negative-abandoned"),
        pytest.param(2, 3, id="more-abandoned-than-answered"),
    ],
)
def test_inconsistent_counts_are_refused(live: int, abandoned: int) -> None:
    with pytest.raises(ValueError, match="abandon"):
        AbandonStats(live, abandoned)


# cap 3 %, margin 0.5 %: near from 2.5 % up to 3 % itself, over above.
@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize(
    ("live", "abandoned", "level"),
    [
        pytest.param(0, 0, CapLevel.OK, id="zero-answered"),
        pytest.param(1000, 24, CapLevel.OK, id="just-under-the-margin-2.4"),
        pytest.param(1000, 25, CapLevel.NEAR, id="at-the-margin-2.5"),
        pytest.param(1000, 29, CapLevel.NEAR, id="one-call-below-the-cap"),
        pytest.param(1000, 30, CapLevel.NEAR, id="exactly-at-the-cap"),
        pytest.param(1000, 31, CapLevel.OVER, id="one-call-above-the-cap"),
        pytest.param(100, 3, CapLevel.NEAR, id="exactly-at-the-cap-small"),
        pytest.param(33, 1, CapLevel.OVER, id="one-abandon-in-33"),
        pytest.param(40, 1, CapLevel.NEAR, id="one-abandon-in-40-at-the-margin"),
        pytest.param(41, 1, CapLevel.OK, id="one-abandon-in-41"),
    ],
)
def test_cap_state_at_its_edges(pack: str, live: int, abandoned: int, level: CapLevel) -> None:
    state = cap_state(AbandonStats(live, abandoned), predictive_rules(pack))
    assert (state.level, state.near_cap, state.cap) == (level, level is not CapLevel.OK, 0.03)
    assert (state.reason is None) is (level is CapLevel.OK)


@pytest.mark.parametrize(
    ("live", "abandoned", "reason"),
    [
        pytest.param(1000, 27, "abandon rate 2.7 % near the 3 % cap: progressive", id="near"),
        pytest.param(1000, 30, "abandon rate 3.0 % at the 3 % cap: progressive", id="at"),
        pytest.param(1000, 34, "abandon rate 3.4 % over the 3 % cap: progressive", id="over"),
    ],
)
def test_cap_reason_for_the_console(live: int, abandoned: int, reason: str) -> None:
    assert cap_state(AbandonStats(live, abandoned), CN_PREDICTIVE).reason == reason


@pytest.mark.parametrize(
    ("rules", "window", "block"),
    [
        pytest.param(CN_PREDICTIVE, timedelta(days=30), None, id="cn"),
        pytest.param(US_PREDICTIVE, timedelta(days=30), None, id="us"),
        pytest.param(UK_PREDICTIVE, timedelta(hours=24), timedelta(hours=72), id="uk"),
    ],
)
def test_pack_figures(rules: PredictiveRules, window: timedelta, block: timedelta | None) -> None:
    assert (rules.abandon_cap, rules.abandon_window, rules.abandoned_redial_block) == (
        0.03,
        window,
        block,
    )
    assert (rules.connect_within, rules.min_ring) == (timedelta(seconds=2), timedelta(seconds=15))


def test_outbound_rules_default_to_the_cn_predictive_rules() -> None:
    assert CN_OUTBOUND.predictive == CN_PREDICTIVE


def test_unknown_pack_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="fr"):
        predictive_rules("fr")


@pytest.mark.parametrize(
    ("rules", "ago", "reserved", "allowed"),
    [
        pytest.param(UK_PREDICTIVE, None, False, True, id="uk-never-abandoned"),
        pytest.param(UK_PREDICTIVE, timedelta(hours=1), False, False, id="uk-1h-ago"),
        pytest.param(
            UK_PREDICTIVE,
            timedelta(hours=72) - timedelta(seconds=1),
            False,
            False,
            id="uk-just-under-72h",
        ),
        pytest.param(UK_PREDICTIVE, timedelta(hours=72), False, True, id="uk-exactly-72h"),
        pytest.param(UK_PREDICTIVE, timedelta(hours=80), False, True, id="uk-after-72h"),
        pytest.param(UK_PREDICTIVE, timedelta(hours=1), True, True, id="uk-1h-agent-reserved"),
        pytest.param(CN_PREDICTIVE, timedelta(minutes=1), False, True, id="cn-no-block"),
        pytest.param(US_PREDICTIVE, timedelta(minutes=1), False, True, id="us-no-block"),
    ],
)
def test_may_redial(
    rules: PredictiveRules, ago: timedelta | None, reserved: bool, allowed: bool
) -> None:
    last = None if ago is None else NOW - ago
    assert may_redial(last, NOW, rules, agent_reserved=reserved) is allowed
