"""Policy packs: the utility rules' numbers, versioned per jurisdiction with an effective date.

Code never hard-codes a regulatory figure; it reads it from the pack in force. Only the parts
that exist so far are modelled; later features add their sections here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LateFeeRules:
    """Daily late-payment fee (电费违约金) rates; the fee base excludes fees."""

    residential_daily_rate: Decimal
    other_current_year_daily_rate: Decimal
    other_prior_years_daily_rate: Decimal
    minimum_total: Decimal


@dataclass(frozen=True, slots=True)
class PolicyPack:
    """One jurisdiction's rules from `effective_from` on."""

    name: str
    version: str
    effective_from: date
    late_fee: LateFeeRules
    timezone: str = "Asia/Shanghai"
    extra: tuple[tuple[str, str], ...] = field(default=())


CN_SGCC = PolicyPack(
    name="cn-sgcc",
    version="2026.1",
    effective_from=date(2024, 1, 1),
    late_fee=LateFeeRules(
        residential_daily_rate=Decimal("0.001"),
        other_current_year_daily_rate=Decimal("0.002"),
        other_prior_years_daily_rate=Decimal("0.003"),
        minimum_total=Decimal("1.00"),
    ),
)

PACKS: dict[str, tuple[PolicyPack, ...]] = {"cn-sgcc": (CN_SGCC,)}


def pack_in_force(name: str, on: date) -> PolicyPack:
    """The newest version of pack `name` effective on `on`; KeyError when there is none."""
    candidates = [p for p in PACKS.get(name, ()) if p.effective_from <= on]
    if not candidates:
        raise KeyError(f"no policy pack {name!r} in force on {on.isoformat()}")
    return max(candidates, key=lambda p: p.effective_from)
