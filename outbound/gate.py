"""The compliance gate: may this number be dialled for this campaign now? A pure function of
the dial, the customer's recent attempts, the pack's outbound rules and the time.

Checks run in this order and the first that fails is the refusal, so a lasting reason is
recorded before a passing one:

1. opted out (do-not-call, across campaigns)                        -> `opted-out`
2. vulnerable customer (arrears types)                              -> `vulnerable`
3. disputed bill (arrears types)                                    -> `disputed-bill`
4. area suspended (billing, arrears and survey types; never notices) -> `area-suspended`
5. public holiday, callee-local date (arrears types)                 -> `holiday`
6. callee-local calling window (arrears: also the arrears window)   -> `outside-window`
7. reached calls today, callee-local day (every type)               -> `daily-cap`
8. reached calls in the last 30 days (every type)                   -> `monthly-cap`
9. unanswered arrears calls today (arrears types)                   -> `arrears-unanswered-cap`
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcenter.core.policy import OutboundRules
from outbound.models import (
    ArrearsSequence,
    ArrearsStep,
    AttemptResult,
    CampaignType,
    RefusalReason,
    Target,
)

ARREARS_TYPES = frozenset(
    {CampaignType.ARREARS_REMINDER, CampaignType.DISCONNECTION_NOTICE, CampaignType.RE_NOTICE}
)
# Storm mode suspends what presses people for money or opinions, never outage information.
SUSPENDABLE_TYPES = ARREARS_TYPES | {
    CampaignType.BILL_REMINDER,
    CampaignType.LOW_BALANCE,
    CampaignType.ZERO_BALANCE,
    CampaignType.SATISFACTION_CALLBACK,
}
# None: the call is still in flight, it may be reaching the person right now.
REACHED = frozenset(
    {
        AttemptResult.ANSWERED,
        AttemptResult.CONFIRMED,
        AttemptResult.OPTED_OUT,
        AttemptResult.UNCERTAIN,
        AttemptResult.ABANDONED,  # a person answered and heard the identification
        None,
    }
)
UNANSWERED = frozenset(
    {AttemptResult.BUSY, AttemptResult.NO_ANSWER, AttemptResult.FAILED, AttemptResult.MACHINE}
)
CAP_PERIOD = timedelta(days=30)
_ZONE_BY_PREFIX = (("+86", "Asia/Shanghai"),)


def callee_zone(phone: str, fallback: str) -> str:
    """The callee's time zone from the number's region (E.164), else `fallback` (the pack's).

    Only whole-country zones are known so far; regions split by area code (+1) fall back."""
    for prefix, zone in _ZONE_BY_PREFIX:
        if phone.startswith(prefix):
            return zone
    return fallback


@dataclass(frozen=True, slots=True)
class DialContext:
    """What the gate knows about one dial: the campaign type, the target, and the facts the
    stores hold at dial time (opt-out, the areas suspended now)."""

    campaign_type: CampaignType
    customer_id: int
    phone: str  # E.164
    area: str = ""
    vulnerable: bool = False
    disputed: bool = False
    opted_out: bool = False
    suspended_areas: frozenset[str] = frozenset()
    zone: str | None = None  # the callee's zone when known better than from the number
    hours: tuple[time, time] | None = None  # the campaign's own daily window, callee-local
    arrears_step: ArrearsStep | None = None  # the account's place in the arrears procedure
    cut_at: datetime | None = None  # the disconnection time its notice names
    paused_until: datetime | None = None  # desk: an open promise to pay pauses arrears calls

    @classmethod
    def for_target(
        cls,
        campaign_type: CampaignType,
        target: Target,
        *,
        opted_out: bool,
        suspended_areas: frozenset[str],
        hours: tuple[time, time] | None = None,
        sequence: ArrearsSequence | None = None,
    ) -> DialContext:
        """The context for dialling `target` in a campaign of `campaign_type` (with its
        daily window `hours`, and the account's arrears `sequence` for arrears calls)."""
        return cls(
            campaign_type=campaign_type,
            customer_id=target.customer_id,
            phone=target.phone,
            area=target.area,
            vulnerable=target.vulnerable,
            disputed=target.disputed,
            opted_out=opted_out,
            suspended_areas=suspended_areas,
            hours=hours,
            arrears_step=sequence.step if sequence is not None else None,
            cut_at=sequence.cut_at if sequence is not None else None,
            paused_until=sequence.paused_until if sequence is not None else None,
        )


@dataclass(frozen=True, slots=True)
class PastAttempt:
    """One earlier attempt to the same customer, from any campaign."""

    at: datetime  # when it was placed (timezone-aware)
    campaign_type: CampaignType
    result: AttemptResult | None  # None: still in flight


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """The customer's attempts of (at least) the last 30 days; older ones are ignored."""

    attempts: tuple[PastAttempt, ...] = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a dial may not go now. `retry_at` is the earliest time the same dial could pass
    this check (the dialer may hold the attempt until then instead of closing it as
    refused); None when waiting does not help (opt-out, protection, suspension)."""

    reason: RefusalReason
    message: str
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Moment:
    now: datetime
    zone: ZoneInfo

    @property
    def local(self) -> datetime:
        return self.now.astimezone(self.zone)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(self.now.tzinfo)


_Check = Callable[[DialContext, ContactHistory, OutboundRules, _Moment], Refusal | None]


def check(
    dial: DialContext, history: ContactHistory, rules: OutboundRules, now: datetime
) -> Refusal | None:
    """The first refusal in the documented order, or None when the dial may go now.
    `now` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("the gate needs a timezone-aware now")
    zone = ZoneInfo(dial.zone or callee_zone(dial.phone, rules.default_zone))
    moment = _Moment(now, zone)
    for step in _CHECKS:
        refusal = step(dial, history, rules, moment)
        if refusal is not None:
            return refusal
    return None


def window(campaign_type: CampaignType, rules: OutboundRules) -> tuple[time, time]:
    """The callee-local hours `[start, end)` in which a campaign of this type may call."""
    start, end = rules.calling_window
    if campaign_type in ARREARS_TYPES:
        start = max(start, rules.arrears_window[0])
        end = min(end, rules.arrears_window[1])
    return start, end


def hours(dial: DialContext, rules: OutboundRules) -> tuple[time, time]:
    """The hours of `window` narrowed to the campaign's own daily window."""
    start, end = window(dial.campaign_type, rules)
    if dial.hours is not None:
        start, end = max(start, dial.hours[0]), min(end, dial.hours[1])
    return start, end


def _opted_out(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    if d.opted_out:
        return Refusal(RefusalReason.OPTED_OUT, "the customer asked not to be called")
    return None


def _vulnerable(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    if d.vulnerable and d.campaign_type in ARREARS_TYPES:
        message = "a protected customer (medical or elderly) gets no automated arrears calls"
        return Refusal(RefusalReason.VULNERABLE, message)
    return None


def _disputed(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    if d.disputed and d.campaign_type in ARREARS_TYPES:
        return Refusal(RefusalReason.DISPUTED_BILL, "the bill is disputed; no arrears calls")
    return None


def _suspended(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    if d.area in d.suspended_areas and d.campaign_type in SUSPENDABLE_TYPES:
        message = f"{d.campaign_type} calls are suspended in area {d.area!r}"
        return Refusal(RefusalReason.AREA_SUSPENDED, message)
    return None


def _holiday(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    today = m.local.date()
    if d.campaign_type not in ARREARS_TYPES or not r.calendar.is_holiday(today):
        return None
    day = today
    while r.calendar.is_holiday(day):
        day += timedelta(days=1)
    message = f"{today.isoformat()} is a public holiday; no arrears calls"
    return Refusal(RefusalReason.HOLIDAY, message, m.at(day, hours(d, r)[0]))


_NOTICE_STEPS = frozenset({ArrearsStep.APPROVED, ArrearsStep.NOTICE_DELIVERED})
_RE_NOTICE_STEPS = frozenset({ArrearsStep.NOTICE_DELIVERED, ArrearsStep.RE_NOTIFIED})


def _sequence(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    """A disconnection notice goes only to an approved sequence (a first notice names its
    own cut time within the lead; a repeated one goes 3-7 days before the cut it named);
    a re-notice only after the notice was delivered, 30 minutes to 2 hours before the cut
    (the pack's leads). Too early waits; too late or out of step is final. While a promise
    to pay is open, no arrears call goes (final: the promise's follow-up calls again)."""
    if d.campaign_type in ARREARS_TYPES and d.paused_until is not None and d.paused_until > m.now:
        message = f"a promise to pay pauses the arrears sequence until {d.paused_until.isoformat()}"
        return Refusal(RefusalReason.SEQUENCE, message)
    if d.campaign_type is CampaignType.DISCONNECTION_NOTICE:
        steps, lead, what = _NOTICE_STEPS, r.disconnection_notice_lead, "an approved sequence"
    elif d.campaign_type is CampaignType.RE_NOTICE:
        steps, lead, what = _RE_NOTICE_STEPS, r.re_notice_lead, "a delivered notice"
    else:
        return None
    if d.arrears_step not in steps or (d.cut_at is None and steps is _RE_NOTICE_STEPS):
        step = d.arrears_step or "none"
        message = f"{d.campaign_type} needs {what} (the account is at {step})"
        return Refusal(RefusalReason.SEQUENCE, message)
    if d.cut_at is None:  # a first notice: it names a cut time within the lead itself
        return None
    ahead = d.cut_at - m.now
    if ahead > lead[1]:
        message = f"too early: at most {lead[1]} before the cut at {d.cut_at.isoformat()}"
        return Refusal(RefusalReason.SEQUENCE, message, d.cut_at - lead[1])
    if ahead < lead[0]:
        message = f"too late: at least {lead[0]} before the cut at {d.cut_at.isoformat()}"
        return Refusal(RefusalReason.SEQUENCE, message)
    return None


def _window(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    start, end = hours(d, r)
    local = m.local
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    message = (
        f"callee-local time {local:%H:%M} ({m.zone.key}) is outside the calling hours "
        f"{start:%H:%M}-{end:%H:%M}"
    )
    return Refusal(RefusalReason.OUTSIDE_WINDOW, message, m.at(day, start))


def _today(h: ContactHistory, m: _Moment, results: frozenset[AttemptResult | None]) -> int:
    today = m.local.date()
    return sum(
        1 for a in h.attempts if a.result in results and a.at.astimezone(m.zone).date() == today
    )


def _tomorrow(d: DialContext, r: OutboundRules, m: _Moment) -> datetime:
    return m.at(m.local.date() + timedelta(days=1), hours(d, r)[0])


def _daily(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    count = _today(h, m, REACHED)
    if count < r.daily_contact_cap:
        return None
    message = f"{count} calls reached the customer today (cap {r.daily_contact_cap})"
    return Refusal(RefusalReason.DAILY_CAP, message, _tomorrow(d, r, m))


def _monthly(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    since = m.now - CAP_PERIOD
    times = sorted(a.at for a in h.attempts if a.result in REACHED and since < a.at <= m.now)
    if len(times) < r.monthly_contact_cap:
        return None
    # The cap frees a slot when enough of the oldest calls leave the 30 days.
    retry_at = times[len(times) - r.monthly_contact_cap] + CAP_PERIOD
    message = f"{len(times)} calls reached the customer in 30 days (cap {r.monthly_contact_cap})"
    return Refusal(RefusalReason.MONTHLY_CAP, message, retry_at)


def _unanswered(d: DialContext, h: ContactHistory, r: OutboundRules, m: _Moment) -> Refusal | None:
    if d.campaign_type not in ARREARS_TYPES:
        return None
    arrears = ContactHistory(tuple(a for a in h.attempts if a.campaign_type in ARREARS_TYPES))
    count = _today(arrears, m, frozenset(UNANSWERED))
    if count < r.arrears_daily_unanswered_cap:
        return None
    message = f"{count} arrears calls unanswered today (cap {r.arrears_daily_unanswered_cap})"
    return Refusal(RefusalReason.ARREARS_UNANSWERED_CAP, message, _tomorrow(d, r, m))


_CHECKS: tuple[_Check, ...] = (
    _opted_out,
    _vulnerable,
    _disputed,
    _suspended,
    _holiday,
    _sequence,
    _window,
    _daily,
    _monthly,
    _unanswered,
)
