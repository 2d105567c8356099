"""Dialer pacing (how many calls to start now) and the retry policy (when to try again), as
pure functions over a given state and time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.core.policy import OutboundRules, RetryRules
from outbound.models import AttemptResult


@dataclass(frozen=True, slots=True)
class PacingLimits:
    """The gateway's calls per second (Twilio's default: 1 per number) with a burst of at
    most `burst` calls, its concurrency limit, and the campaign's own maximum of concurrent
    calls."""

    calls_per_second: float
    gateway_concurrency: int
    campaign_concurrency: int
    burst: int = 1


@dataclass(frozen=True, slots=True)
class TokenBucket:
    """Call starts available at `at`; it refills at the calls-per-second rate up to `burst`."""

    tokens: float
    at: datetime

    def level(self, limits: PacingLimits, now: datetime) -> float:
        """The tokens available at `now`: never above the burst; below zero while calls
        started beyond it (a debt) are paid back."""
        elapsed = max((now - self.at).total_seconds(), 0.0)
        return min(limits.burst, self.tokens + elapsed * limits.calls_per_second)

    def spend(self, calls: int, limits: PacingLimits, now: datetime) -> TokenBucket:
        """The bucket after starting `calls` calls at `now`."""
        return TokenBucket(self.level(limits, now) - calls, now)


@dataclass(frozen=True, slots=True)
class PacingStats:
    """The dialer's state: calls in flight on the gateway (every campaign) and in this
    campaign, attempts ready to dial now, and the gateway's token bucket."""

    gateway_in_flight: int
    campaign_in_flight: int
    ready: int
    bucket: TokenBucket


def full_bucket(limits: PacingLimits, now: datetime) -> TokenBucket:
    """A bucket at its burst: the state of a dialer that has not dialled yet."""
    return TokenBucket(float(limits.burst), now)


def calls_to_place(stats: PacingStats, limits: PacingLimits, now: datetime) -> int:
    """How many calls may start now: the least of the whole tokens in the bucket, the free
    gateway and campaign concurrency, and the attempts ready; never negative. The caller
    spends what it places with `TokenBucket.spend`."""
    return max(
        0,
        min(
            math.floor(stats.bucket.level(limits, now) + 1e-9),
            limits.gateway_concurrency - stats.gateway_in_flight,
            limits.campaign_concurrency - stats.campaign_in_flight,
            stats.ready,
        ),
    )


def next_token_at(bucket: TokenBucket, limits: PacingLimits, now: datetime) -> datetime:
    """When the bucket next holds a whole token (`now` when it already does)."""
    missing = 1.0 - bucket.level(limits, now)
    if missing <= 1e-9:
        return now
    return now + timedelta(seconds=missing / limits.calls_per_second)


def _first_delay(result: AttemptResult, rules: RetryRules) -> timedelta | None:
    match result:
        case AttemptResult.BUSY:
            return rules.busy
        case AttemptResult.NO_ANSWER:
            return rules.no_answer
        case AttemptResult.FAILED:
            return rules.failed
        case AttemptResult.MACHINE:
            return rules.machine
        case AttemptResult.ABANDONED:  # dialled again only with an agent reserved
            return rules.no_answer
        case _:  # answered, confirmed, refused, uncertain, opted out: final
            return None


def next_try(
    result: AttemptResult,
    attempt_no: int,
    rules: OutboundRules,
    now: datetime,
    *,
    max_attempts: int | None = None,
) -> datetime | None:
    """When to try again after attempt `attempt_no` (1 for the first) ended with `result`
    at `now`, or None: a final result, or no attempts left (`max_attempts` of the campaign,
    capped by the pack's). The delay for the result doubles (the pack's factor) with each
    attempt. The gate may still hold the retry (calling window, caps)."""
    retry = rules.retry
    delay = _first_delay(result, retry)
    limit = retry.max_attempts if max_attempts is None else min(max_attempts, retry.max_attempts)
    if delay is None or attempt_no >= limit:
        return None
    factor: int = retry.backoff_factor ** (attempt_no - 1)
    block = rules.predictive.abandoned_redial_block
    if result is AttemptResult.ABANDONED and block is not None:  # uk: 72 h before a redial
        return now + max(delay * factor, block)
    return now + delay * factor
