"""Policy packs: the utility rules' numbers, versioned per jurisdiction with an effective date.

Code never hard-codes a regulatory figure; it reads it from the pack in force. Only the parts
that exist so far are modelled; later features add their sections here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from callcenter.core.ticket_rules import CN_TICKET_RULES, TicketRules


@dataclass(frozen=True, slots=True)
class LateFeeRules:
    """Daily late-payment fee (电费违约金) rates; the fee base excludes fees."""

    residential_daily_rate: Decimal
    other_current_year_daily_rate: Decimal
    other_prior_years_daily_rate: Decimal
    minimum_total: Decimal


def _days(first: date, count: int) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range(count))


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays and the make-up working days (调休) that move weekends around them."""

    holidays: frozenset[date]
    make_up_workdays: frozenset[date] = frozenset()

    def is_holiday(self, day: date) -> bool:
        """A public holiday (not a plain weekend)."""
        return day in self.holidays

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday unless a holiday, plus the make-up Saturdays and Sundays."""
        if day in self.make_up_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): the days off including the
# weekends folded into them, and the weekend days worked instead.
CN_2026_CALENDAR = HolidayCalendar(
    holidays=frozenset(
        _days(date(2026, 1, 1), 3)  # New Year
        + _days(date(2026, 2, 15), 9)  # Spring Festival
        + _days(date(2026, 4, 4), 3)  # Qingming
        + _days(date(2026, 5, 1), 5)  # Labour Day
        + _days(date(2026, 6, 19), 3)  # Dragon Boat
        + _days(date(2026, 9, 25), 3)  # Mid-Autumn
        + _days(date(2026, 10, 1), 7)  # National Day
    ),
    make_up_workdays=frozenset(
        {
            date(2026, 1, 4),
            date(2026, 2, 14),
            date(2026, 2, 28),
            date(2026, 5, 9),
            date(2026, 9, 20),
            date(2026, 10, 10),
        }
    ),
)


@dataclass(frozen=True, slots=True)
class RetryRules:
    """When an unfinished attempt is tried again: `first delay x factor^(attempt_no - 1)`,
    up to `max_attempts` attempts in all (a campaign may ask for fewer, never more)."""

    busy: timedelta
    no_answer: timedelta
    failed: timedelta
    machine: timedelta
    backoff_factor: int
    max_attempts: int


@dataclass(frozen=True, slots=True)
class PredictiveRules:
    """Predictive dialing: the abandon cap (abandoned calls over live-answered calls in a
    rolling window, per campaign), the connection deadline after the answer, the minimum ring
    time, the redial block for abandoned numbers, and the margin below the cap at which pacing
    falls back to progressive."""

    abandon_cap: float
    abandon_window: timedelta
    connect_within: timedelta  # a live agent or the identification message within this
    min_ring: timedelta
    abandoned_redial_block: timedelta | None  # None: no block
    near_cap_margin: float


US_PREDICTIVE = PredictiveRules(  # FTC Telemarketing Sales Rule, 16 CFR 310.4(b)(4)
    abandon_cap=0.03,
    abandon_window=timedelta(days=30),
    connect_within=timedelta(seconds=2),
    min_ring=timedelta(seconds=15),
    abandoned_redial_block=None,
    near_cap_margin=0.005,
)
CN_PREDICTIVE = US_PREDICTIVE  # (assumed) cn has no statute on it: the us figures
UK_PREDICTIVE = PredictiveRules(  # Ofcom persistent misuse policy (2016)
    abandon_cap=0.03,
    abandon_window=timedelta(hours=24),
    connect_within=timedelta(seconds=2),
    min_ring=timedelta(seconds=15),
    abandoned_redial_block=timedelta(hours=72),
    near_cap_margin=0.005,
)
PREDICTIVE_RULES: dict[str, PredictiveRules] = {
    "cn": CN_PREDICTIVE,
    "us": US_PREDICTIVE,
    "uk": UK_PREDICTIVE,
}


def predictive_rules(name: str) -> PredictiveRules:
    """The predictive dialing rules of "cn", "us" or "uk"; KeyError for any other name."""
    try:
        return PREDICTIVE_RULES[name]
    except KeyError:
        raise KeyError(f"no predictive dialing rules {name!r} (known: cn, us, uk)") from None


@dataclass(frozen=True, slots=True)
class OutboundRules:
    """Outbound campaigns: calling hours, caps, notice leads and the arrears procedure.

    Windows are half-open `[start, end)` in the callee's local time. Contact caps count the
    calls that reached or may have reached the line (answered, confirmed, opted out,
    uncertain, in flight); unanswered ones count only against the arrears cap."""

    calling_window: tuple[time, time]
    arrears_window: tuple[time, time]  # applied on top of `calling_window` for arrears calls
    daily_contact_cap: int  # per customer per callee-local day, every campaign
    monthly_contact_cap: int  # per customer per rolling 30 days
    arrears_daily_unanswered_cap: int  # busy, no answer, failed, machine: arrears calls
    planned_notice_lead: timedelta
    temporary_notice_lead: timedelta  # temporary maintenance, important users
    disconnection_notice_lead: tuple[timedelta, timedelta]  # delivered min..max before cut
    re_notice_lead: tuple[timedelta, timedelta]  # re-notice min..max before the cut
    cut_grace: timedelta  # how long after the notified time a cut may still be executed
    min_days_overdue: int  # approval needs strictly more days than this
    reconnection_within: timedelta  # paid after the cut
    low_balance_threshold: Decimal  # prepaid, yuan
    approver_roles: frozenset[str]  # who approves a disconnection
    important_approver_roles: frozenset[str]  # company level, for important users
    retry: RetryRules
    calendar: HolidayCalendar
    default_zone: str  # callee zone when the number names none
    predictive: PredictiveRules = CN_PREDICTIVE  # agent-assisted predictive dialing


@dataclass(frozen=True, slots=True)
class PolicyPack:
    """One jurisdiction's rules from `effective_from` on."""

    name: str
    version: str
    effective_from: date
    late_fee: LateFeeRules
    outbound: OutboundRules
    timezone: str = "Asia/Shanghai"
    extra: tuple[tuple[str, str], ...] = field(default=())
    tickets: TicketRules = CN_TICKET_RULES  # issue 15: taxonomy, deadlines, pauses, warnings
    # 催办 (issue 15, urges): an urging caller's call rises this many routing bands (normal →
    # vulnerable with 1), never into the hazard band (assumed)
    urge_priority_boost: int = 1


CN_OUTBOUND = OutboundRules(
    calling_window=(time(8), time(21)),  # (assumed) cn has no statute; common practice
    arrears_window=(time(8), time(22)),  # bank-collection rule: no calls 22:00-08:00
    daily_contact_cap=3,  # (assumed) bank-collection practice: 3 reached calls a day
    monthly_contact_cap=10,  # (assumed)
    arrears_daily_unanswered_cap=6,  # bank-collection rule
    planned_notice_lead=timedelta(days=7),
    temporary_notice_lead=timedelta(hours=24),
    disconnection_notice_lead=(timedelta(days=3), timedelta(days=7)),
    re_notice_lead=(timedelta(minutes=30), timedelta(hours=2)),  # 2 h upper bound (assumed)
    cut_grace=timedelta(hours=2),  # (assumed)
    min_days_overdue=30,
    reconnection_within=timedelta(hours=24),
    low_balance_threshold=Decimal("30"),
    approver_roles=frozenset({"supervisor", "admin"}),  # (assumed)
    important_approver_roles=frozenset({"company", "admin"}),  # (assumed) role names
    retry=RetryRules(  # (assumed)
        busy=timedelta(minutes=10),
        no_answer=timedelta(minutes=30),
        failed=timedelta(minutes=15),
        machine=timedelta(hours=2),
        backoff_factor=2,
        max_attempts=3,
    ),
    calendar=CN_2026_CALENDAR,
    default_zone="Asia/Shanghai",
)

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
    outbound=CN_OUTBOUND,
)

PACKS: dict[str, tuple[PolicyPack, ...]] = {"cn-sgcc": (CN_SGCC,)}


def pack_in_force(name: str, on: date) -> PolicyPack:
    """The newest version of pack `name` effective on `on`; KeyError when there is none."""
    candidates = [p for p in PACKS.get(name, ()) if p.effective_from <= on]
    if not candidates:
        raise KeyError(f"no policy pack {name!r} in force on {on.isoformat()}")
    return max(candidates, key=lambda p: p.effective_from)
