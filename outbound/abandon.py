"""The abandon ledger of predictive dialing, pure: the abandon rate over given counts, where it
stands against the policy pack's cap, and whether an abandoned number may be dialled again.

An abandoned call is a live-answered call (a person, not a machine) that no agent took within
the pack's connection deadline: the callee heard the identification message. The rate is
abandoned / live answered over the pack's window; comparisons are exact (fractions), so a
rate exactly at the cap or at the margin lands where the table says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from callcenter.core.policy import PredictiveRules


@dataclass(frozen=True, slots=True)
class AbandonStats:
    """Live-answered calls and, of them, the abandoned ones, in the pack's window."""

    live_answered: int
    abandoned: int

    def __post_init__(self) -> None:
        if self.live_answered < 0 or self.abandoned < 0:
            raise ValueError(f"abandon counts cannot be negative: {self}")
        if self.abandoned > self.live_answered:
            raise ValueError(
                f"abandoned calls ({self.abandoned}) are live-answered calls too"
                f" ({self.live_answered})"
            )


class CapLevel(StrEnum):
    """Where the abandon rate stands: well under the cap, within the margin (or exactly at
    the cap), or over it."""

    OK = "ok"
    NEAR = "near"
    OVER = "over"


@dataclass(frozen=True, slots=True)
class CapState:
    """The abandon rate against the cap; `reason` says it for the console when pacing must
    fall back to progressive (None when it need not)."""

    level: CapLevel
    rate: float
    cap: float
    reason: str | None

    @property
    def near_cap(self) -> bool:
        """Whether pacing must be progressive (near or over the cap)."""
        return self.level is not CapLevel.OK


def _exact_rate(stats: AbandonStats) -> Fraction:
    if stats.live_answered == 0:
        return Fraction(0)
    return Fraction(stats.abandoned, stats.live_answered)


def abandon_rate(stats: AbandonStats) -> float:
    """Abandoned over live-answered calls; 0 when nobody answered yet."""
    return float(_exact_rate(stats))


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".removesuffix(".0")


def cap_state(stats: AbandonStats, rules: PredictiveRules) -> CapState:
    """The abandon rate against `rules.abandon_cap`: over above it, near from the cap minus
    `rules.near_cap_margin` up to the cap itself, ok below."""
    rate = _exact_rate(stats)
    cap = Fraction(str(rules.abandon_cap))
    if rate > cap:
        level, where = CapLevel.OVER, "over"
    elif rate >= cap - Fraction(str(rules.near_cap_margin)):
        level, where = CapLevel.NEAR, "at" if rate == cap else "near"
    else:
        return CapState(CapLevel.OK, float(rate), rules.abandon_cap, None)
    reason = (
        f"abandon rate {float(rate) * 100:.1f} % {where} the {_percent(rules.abandon_cap)} %"
        " cap: progressive"
    )
    return CapState(level, float(rate), rules.abandon_cap, reason)


def may_redial(
    last_abandoned_at: datetime | None,
    now: datetime,
    rules: PredictiveRules,
    agent_reserved: bool,
) -> bool:
    """Whether a number whose last call was abandoned at `last_abandoned_at` (None: never)
    may be dialled at `now`: always with an agent reserved for the call, else only once the
    pack's redial block (uk: 72 h) has passed since the abandon."""
    block = rules.abandoned_redial_block
    if last_abandoned_at is None or block is None or agent_reserved:
        return True
    return now - last_abandoned_at >= block
