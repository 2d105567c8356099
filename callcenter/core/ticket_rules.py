"""The tickets' rules in a policy pack: the 95598 work-order taxonomy, the deadlines per type,
sub-type, source channel, customer class and service area, the statuses that pause the
clock, and the warning thresholds.

Figures from `DOMAIN.md`; the ones marked (assumed) are reasonable defaults a site changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LimitUnit(StrEnum):
    """How a deadline is counted."""

    MINUTES = "minutes"  # on the clock, night and holidays included
    WORKING_DAYS = "working_days"  # on the working-day calendar, to 24:00 of the last day


@dataclass(frozen=True, slots=True)
class Limit:
    """How long a step may take."""

    amount: int
    unit: LimitUnit

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError(f"a limit needs a positive amount, not {self.amount}")

    def __str__(self) -> str:
        if self.unit is LimitUnit.WORKING_DAYS:
            return f"{self.amount} working days"
        hours, minutes = divmod(self.amount, 60)
        return f"{hours} h" if not minutes else f"{self.amount} min"


def minutes(amount: int) -> Limit:
    """A limit on the clock, in minutes."""
    return Limit(amount, LimitUnit.MINUTES)


def hours(amount: int) -> Limit:
    """A limit on the clock, in hours."""
    return Limit(amount * 60, LimitUnit.MINUTES)


def working_days(amount: int) -> Limit:
    """A limit in working days."""
    return Limit(amount, LimitUnit.WORKING_DAYS)


@dataclass(frozen=True, slots=True)
class Term:
    """A code with its names: `Term("complaint", "投诉", "complaint")`."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class TicketKind:
    """A work-order type and its sub-types."""

    term: Term
    subtypes: tuple[Term, ...] = ()


@dataclass(frozen=True, slots=True)
class TicketKey:
    """What a ticket's deadlines depend on."""

    type: str
    subtype: str | None = None
    channel: str | None = None
    customer_class: str | None = None
    area: str | None = None  # urban, rural, remote: where the service point is


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """One deadline: `milestone` must be reached within `limit` of `starts_at` (`opened`, or
    another milestone such as `arrived`). A rule applies to the tickets whose key matches
    every field it sets; among several for one milestone, the one that sets most wins."""

    type: str
    milestone: str
    limit: Limit
    subtype: str | None = None
    channel: str | None = None
    customer_class: str | None = None
    area: str | None = None
    starts_at: str = "opened"
    assumed: bool = False

    def matches(self, key: TicketKey) -> bool:
        """True when every field the rule sets equals the key's."""
        return all(
            mine is None or mine == theirs
            for mine, theirs in (
                (self.type, key.type),
                (self.subtype, key.subtype),
                (self.channel, key.channel),
                (self.customer_class, key.customer_class),
                (self.area, key.area),
            )
        )

    @property
    def specificity(self) -> int:
        """How many of the optional fields the rule sets."""
        fields = (self.subtype, self.channel, self.customer_class, self.area)
        return sum(f is not None for f in fields)


@dataclass(frozen=True, slots=True)
class TicketRules:
    """The pack's ticket section."""

    kinds: tuple[TicketKind, ...]
    complaint_classes: tuple[Term, ...]
    complaint_severities: tuple[Term, ...]
    channels: tuple[Term, ...]
    customer_classes: tuple[Term, ...]
    areas: tuple[Term, ...]
    deadlines: tuple[DeadlineRule, ...]
    pausing_statuses: frozenset[str]  # the clock stops while a ticket waits on the customer
    warn_percents: tuple[int, int, int]  # the warn70, warn80 and warn90 levels
    # --- 回访 (issue 15, callbacks): the types that close only after a satisfaction callback,
    # the lowest score (1-5) that counts as satisfied, and how many unreachable callbacks
    # let the centre close without an answer
    callback_types: frozenset[str] = frozenset({"fault_repair", "complaint"})
    callback_satisfied_from: int = 3
    callback_unreachable_tries: int = 3

    def kind(self, type: str) -> TicketKind | None:
        """The type's entry, or None for an unknown type."""
        return next((k for k in self.kinds if k.term.code == type), None)

    def deadlines_for(self, key: TicketKey) -> tuple[DeadlineRule, ...]:
        """The rule in force for each of the ticket's milestones, in the pack's order of
        milestones; none for a type with no deadline (praise)."""
        chosen: dict[str, DeadlineRule] = {}
        for rule in self.deadlines:
            if not rule.matches(key):
                continue
            best = chosen.get(rule.milestone)
            if best is None or rule.specificity > best.specificity:
                chosen[rule.milestone] = rule
        return tuple(chosen.values())


def _terms(*rows: tuple[str, str, str]) -> tuple[Term, ...]:
    return tuple(Term(*row) for row in rows)


CN_COMPLAINT_CLASSES = _terms(
    ("service", "服务投诉", "service"),
    ("business", "营业投诉", "business"),
    ("outage", "停送电投诉", "outage"),
    ("power_quality", "供电质量投诉", "power quality"),
    ("grid_construction", "电网建设投诉", "grid construction"),
)
CN_COMPLAINT_SEVERITIES = _terms(
    ("special", "特殊", "special"),
    ("major", "重大", "major"),
    ("important", "重要", "important"),
    ("general", "一般", "general"),
)
CN_KINDS = (
    TicketKind(
        Term("fault_repair", "故障报修", "fault repair"),
        _terms(
            ("no_power", "无电", "no power"),
            ("sparks", "打火冒烟", "sparks or smoke"),
            ("wire_down", "断线倒杆", "wire down"),
            ("meter_burnt", "表计烧坏", "meter burnt"),
            ("low_voltage", "电压异常", "voltage problem"),
        ),
    ),
    TicketKind(
        Term("consultation", "业务咨询", "consultation"),
        _terms(
            ("tariff", "电价电费", "tariffs"),
            ("bill", "账单解释", "bill explanation"),
            ("procedure", "业务办理", "procedures"),
            ("outage_info", "停电信息", "outage information"),
        ),
    ),
    TicketKind(
        Term("service_request", "服务申请", "service request"),
        _terms(
            ("reconnection", "欠费复电", "reconnection after arrears paid"),
            ("appliance_damage", "家电损坏核损", "appliance damage"),
            ("meter_fault", "计量装置故障", "meter fault"),
            ("reading_anomaly", "抄表数据异常", "reading anomaly"),
            ("other", "其他服务申请", "other"),
        ),
    ),
    TicketKind(Term("complaint", "投诉", "complaint"), CN_COMPLAINT_CLASSES),  # × severities
    TicketKind(
        Term("report", "举报", "report"),
        _terms(
            ("electricity_theft", "窃电", "electricity theft"),
            ("damaged_facilities", "破坏电力设施", "damaged facilities"),
            ("misconduct", "违规违纪", "misconduct"),
        ),
    ),
    TicketKind(Term("opinion", "意见", "opinion")),
    TicketKind(Term("suggestion", "建议", "suggestion")),
    TicketKind(Term("praise", "表扬", "praise")),
)
CN_CHANNELS = _terms(
    ("phone", "95598电话", "95598 hotline"),
    ("ivr", "自助语音", "IVR self-service"),
    ("online", "网上国网", "online (app, web, WeChat)"),
    ("regulator", "12398转办", "forwarded by the regulator (12398)"),
    ("counter", "营业厅", "service counter"),
)
CN_CUSTOMER_CLASSES = _terms(
    ("residential", "居民", "residential"),
    ("non_residential", "非居民", "non-residential"),
    ("important", "重要电力用户", "important user"),
)
CN_AREAS = _terms(
    ("urban", "城区", "urban"),
    ("rural", "农村", "rural"),
    ("remote", "特殊边远地区", "remote"),
)

F, S, C = "fault_repair", "service_request", "complaint"
CN_DEADLINES = (
    # fault repair: crew on site, then power back after arrival
    DeadlineRule(F, "arrived", minutes(45), area="urban"),
    DeadlineRule(F, "arrived", minutes(90), area="rural"),
    DeadlineRule(F, "arrived", minutes(120), area="remote"),
    DeadlineRule(F, "arrived", minutes(90), assumed=True),  # no area known: the rural figure
    DeadlineRule(F, "restored", hours(3), area="urban", starts_at="arrived"),
    DeadlineRule(F, "restored", hours(4), area="rural", starts_at="arrived"),
    DeadlineRule(F, "restored", hours(4), starts_at="arrived", assumed=True),  # remote, unknown
    # consultation: answered on the call; a forwarded one within a working day
    DeadlineRule("consultation", "answered", working_days(1), assumed=True),
    # service requests, per sub-type
    DeadlineRule(S, "done", hours(24), subtype="reconnection"),
    DeadlineRule(S, "on_site", hours(24), subtype="appliance_damage"),
    DeadlineRule(S, "done", working_days(4), subtype="meter_fault"),
    DeadlineRule(S, "done", working_days(6), subtype="reading_anomaly"),
    DeadlineRule(S, "done", working_days(5)),  # other, no sub-type; appliance damage (assumed)
    # complaints: contact the customer, then answer
    DeadlineRule(C, "contacted", hours(24)),
    DeadlineRule(C, "answered", working_days(4)),
    DeadlineRule("report", "answered", working_days(9)),
    DeadlineRule("opinion", "answered", working_days(9), assumed=True),
    DeadlineRule("suggestion", "answered", working_days(9), assumed=True),
    # praise: no deadline
)

CN_TICKET_RULES = TicketRules(
    kinds=CN_KINDS,
    complaint_classes=CN_COMPLAINT_CLASSES,
    complaint_severities=CN_COMPLAINT_SEVERITIES,
    channels=CN_CHANNELS,
    customer_classes=CN_CUSTOMER_CLASSES,
    areas=CN_AREAS,
    deadlines=CN_DEADLINES,
    pausing_statuses=frozenset({"awaiting_customer"}),  # (assumed) the status's name
    warn_percents=(70, 80, 90),
    callback_types=frozenset({F, C}),  # 回访: fault repairs and complaints
    callback_satisfied_from=3,  # 1-2 unsatisfied, 3-5 satisfied
    callback_unreachable_tries=3,  # (assumed) then closed as "callback unreachable"
)
