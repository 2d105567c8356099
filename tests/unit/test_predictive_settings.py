"""The predictive dialing rules in force: the pack's own, or cn/us/uk chosen in
`[policy] predictive`; an abandoned number's redial waits out the rules' block."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from callcenter.config import PolicySettings
from callcenter.core.policy import CN_PREDICTIVE, UK_PREDICTIVE, US_PREDICTIVE
from outbound.models import AttemptResult
from outbound.pacing import next_try

ON = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "rules"),
    [("", CN_PREDICTIVE), ("cn", CN_PREDICTIVE), ("us", US_PREDICTIVE), ("uk", UK_PREDICTIVE)],
)
def test_the_predictive_rules_in_force(name: str, rules: object) -> None:
    pack = PolicySettings(predictive=name).in_force(ON)
    assert pack.outbound.predictive == rules
    assert pack.name == "cn-sgcc"  # the rest of the pack is its own


def test_an_unknown_set_of_rules_is_refused() -> None:
    with pytest.raises(ValidationError):
        PolicySettings(predictive="fr")


@pytest.mark.parametrize(
    ("name", "result", "earliest"),
    [
        ("uk", AttemptResult.ABANDONED, timedelta(hours=72)),  # no redial for 72 h
        ("cn", AttemptResult.ABANDONED, timedelta(minutes=30)),  # as a no answer
        ("uk", AttemptResult.NO_ANSWER, timedelta(minutes=30)),
    ],
)
def test_an_abandoned_number_waits_out_the_redial_block(
    name: str, result: AttemptResult, earliest: timedelta
) -> None:
    rules = PolicySettings(predictive=name).in_force(ON).outbound
    assert next_try(result, 1, rules, NOW) == NOW + earliest
