"""Dialer pacing over a token bucket and concurrency limits, and the retry policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.policy import CN_OUTBOUND
from outbound.models import AttemptResult
from outbound.pacing import (
    PacingLimits,
    PacingStats,
    TokenBucket,
    calls_to_place,
    full_bucket,
    next_token_at,
    next_try,
)

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
LIMITS = PacingLimits(
    calls_per_second=10, gateway_concurrency=50, campaign_concurrency=20, burst=10
)
R = AttemptResult


def stats(
    gateway: int = 0, campaign: int = 0, ready: int = 100, tokens: float = 10, ago: float = 0
) -> PacingStats:
    return PacingStats(gateway, campaign, ready, TokenBucket(tokens, NOW - timedelta(seconds=ago)))


@pytest.mark.parametrize(
    ("state", "limits", "expected"),
    [
        pytest.param(stats(), LIMITS, 10, id="full-bucket"),
        pytest.param(stats(tokens=0), LIMITS, 0, id="empty-bucket"),
        pytest.param(stats(tokens=0, ago=0.25), LIMITS, 2, id="refilled-quarter-second"),
        pytest.param(stats(tokens=0, ago=0.09), LIMITS, 0, id="not-a-whole-token"),
        pytest.param(stats(tokens=0, ago=60), LIMITS, 10, id="refill-stops-at-burst"),
        pytest.param(stats(tokens=-3, ago=0.5), LIMITS, 2, id="overspent-bucket"),
        pytest.param(stats(gateway=45), LIMITS, 5, id="gateway-concurrency"),
        pytest.param(stats(gateway=50), LIMITS, 0, id="gateway-full"),
        pytest.param(stats(gateway=60), LIMITS, 0, id="gateway-over-never-negative"),
        pytest.param(stats(campaign=17), LIMITS, 3, id="campaign-concurrency"),
        pytest.param(stats(ready=4), LIMITS, 4, id="few-ready"),
        pytest.param(stats(ready=0), LIMITS, 0, id="none-ready"),
        pytest.param(
            stats(tokens=1),
            PacingLimits(calls_per_second=1, gateway_concurrency=10, campaign_concurrency=10),
            1,
            id="twilio-default-1-cps",
        ),
        pytest.param(stats(ago=-5), LIMITS, 10, id="clock-behind-bucket"),
    ],
)
def test_calls_to_place(state: PacingStats, limits: PacingLimits, expected: int) -> None:
    assert calls_to_place(state, limits, NOW) == expected


def test_one_cps_over_a_run_of_ticks() -> None:
    limits = PacingLimits(calls_per_second=1, gateway_concurrency=100, campaign_concurrency=100)
    bucket = full_bucket(limits, NOW)
    placed = []
    for tick in range(10):  # every half second for 5 seconds
        now = NOW + timedelta(seconds=tick / 2)
        n = calls_to_place(PacingStats(0, 0, 100, bucket), limits, now)
        bucket = bucket.spend(n, limits, now)
        placed.append(n)
    assert placed == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]


@pytest.mark.parametrize(
    ("bucket", "wait"),
    [
        (TokenBucket(1, NOW), 0.0),
        (TokenBucket(0, NOW), 0.1),
        (TokenBucket(0.5, NOW), 0.05),
        (TokenBucket(-1, NOW), 0.2),
    ],
)
def test_next_token_at(bucket: TokenBucket, wait: float) -> None:
    assert next_token_at(bucket, LIMITS, NOW) == NOW + timedelta(seconds=wait)


RETRY = CN_OUTBOUND.retry


@pytest.mark.parametrize(
    ("result", "attempt_no", "max_attempts", "delay"),
    [
        (R.BUSY, 1, None, RETRY.busy),
        (R.BUSY, 2, None, RETRY.busy * 2),
        (R.BUSY, 3, None, None),  # the pack's 3 attempts used
        (R.NO_ANSWER, 1, None, RETRY.no_answer),
        (R.NO_ANSWER, 2, None, RETRY.no_answer * 2),
        (R.FAILED, 1, None, RETRY.failed),
        (R.MACHINE, 1, None, RETRY.machine),
        (R.NO_ANSWER, 1, 1, None),  # the campaign asked for one attempt
        (R.NO_ANSWER, 2, 5, RETRY.no_answer * 2),
        (R.NO_ANSWER, 3, 5, None),  # a campaign cannot go over the pack
        (R.ANSWERED, 1, None, None),
        (R.CONFIRMED, 1, None, None),
        (R.REFUSED, 1, None, None),
        (R.UNCERTAIN, 1, None, None),
        (R.OPTED_OUT, 1, None, None),
    ],
)
def test_next_try(
    result: AttemptResult, attempt_no: int, max_attempts: int | None, delay: timedelta | None
) -> None:
    expected = None if delay is None else NOW + delay
    assert next_try(result, attempt_no, CN_OUTBOUND, NOW, max_attempts=max_attempts) == expected


def test_backoff_factor_from_the_pack() -> None:
    rules = replace(CN_OUTBOUND, retry=replace(RETRY, backoff_factor=3, max_attempts=5))
    assert next_try(R.BUSY, 4, rules, NOW) == NOW + RETRY.busy * 27
