"""The tickets' rules of the cn-sgcc pack: the 95598 taxonomy and each deadline rule."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from callcenter.core.policy import pack_in_force
from callcenter.core.ticket_rules import (
    CN_TICKET_RULES,
    DeadlineRule,
    Limit,
    TicketKey,
    TicketRules,
    hours,
    minutes,
    working_days,
)

RULES = pack_in_force("cn-sgcc", date(2026, 12, 6)).tickets


def test_the_pack_carries_the_ticket_rules() -> None:
    assert RULES is CN_TICKET_RULES
    assert RULES.warn_percents == (70, 80, 90)
    assert "awaiting_customer" in RULES.pausing_statuses


def test_the_95598_taxonomy() -> None:
    assert [k.term.code for k in RULES.kinds] == [
        "fault_repair",
        "consultation",
        "service_request",
        "complaint",
        "report",
        "opinion",
        "suggestion",
        "praise",
    ]
    complaint = RULES.kind("complaint")
    assert complaint is not None and len(complaint.subtypes) == 5
    assert [s.name_zh for s in RULES.complaint_severities] == ["特殊", "重大", "重要", "一般"]
    assert RULES.kind("nonsense") is None


def test_every_rule_names_known_codes_and_none_is_twice() -> None:
    for rule in RULES.deadlines:
        kind = RULES.kind(rule.type)
        assert kind is not None
        assert rule.subtype is None or rule.subtype in {s.code for s in kind.subtypes}
        assert rule.area is None or rule.area in {a.code for a in RULES.areas}
    keys = Counter(
        (r.type, r.milestone, r.subtype, r.channel, r.customer_class, r.area)
        for r in RULES.deadlines
    )
    assert max(keys.values()) == 1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (TicketKey("fault_repair", area="urban"), {"arrived": minutes(45), "restored": hours(3)}),
        (TicketKey("fault_repair", area="rural"), {"arrived": minutes(90), "restored": hours(4)}),
        (
            TicketKey("fault_repair", area="remote"),
            {"arrived": minutes(120), "restored": hours(4)},
        ),
        (TicketKey("fault_repair"), {"arrived": minutes(90), "restored": hours(4)}),
        (TicketKey("consultation"), {"answered": working_days(1)}),
        (TicketKey("service_request", "reconnection"), {"done": hours(24)}),
        (
            TicketKey("service_request", "appliance_damage"),
            {"on_site": hours(24), "done": working_days(5)},
        ),
        (TicketKey("service_request", "meter_fault"), {"done": working_days(4)}),
        (TicketKey("service_request", "reading_anomaly"), {"done": working_days(6)}),
        (TicketKey("service_request", "other"), {"done": working_days(5)}),
        (TicketKey("service_request"), {"done": working_days(5)}),
        (
            TicketKey("complaint", "power_quality", channel="phone"),
            {"contacted": hours(24), "answered": working_days(4)},
        ),
        (TicketKey("report", "electricity_theft"), {"answered": working_days(9)}),
        (TicketKey("opinion"), {"answered": working_days(9)}),
        (TicketKey("suggestion"), {"answered": working_days(9)}),
        (TicketKey("praise"), {}),
        (TicketKey("unknown"), {}),
    ],
)
def test_deadlines_per_ticket(key: TicketKey, expected: dict[str, Limit]) -> None:
    assert {r.milestone: r.limit for r in RULES.deadlines_for(key)} == expected


def test_restoration_counts_from_the_arrival() -> None:
    restored = [
        r for r in RULES.deadlines_for(TicketKey("fault_repair")) if r.milestone == "restored"
    ]
    assert [r.starts_at for r in restored] == ["arrived"]


# a site's own table: the most specific rule wins, whatever the order
SITE = TicketRules(
    kinds=RULES.kinds,
    complaint_classes=RULES.complaint_classes,
    complaint_severities=RULES.complaint_severities,
    channels=RULES.channels,
    customer_classes=RULES.customer_classes,
    areas=RULES.areas,
    deadlines=(
        DeadlineRule("complaint", "answered", working_days(2), channel="regulator"),
        DeadlineRule(
            "complaint",
            "answered",
            working_days(1),
            channel="regulator",
            customer_class="important",
        ),
        DeadlineRule("complaint", "answered", working_days(4)),
    ),
    pausing_statuses=frozenset(),
    warn_percents=(70, 80, 90),
)


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        (TicketKey("complaint"), working_days(4)),
        (TicketKey("complaint", channel="phone"), working_days(4)),
        (TicketKey("complaint", channel="regulator"), working_days(2)),
        (TicketKey("complaint", channel="regulator", customer_class="important"), working_days(1)),
        (TicketKey("complaint", customer_class="important"), working_days(4)),
    ],
)
def test_the_most_specific_rule_wins(key: TicketKey, limit: Limit) -> None:
    assert [r.limit for r in SITE.deadlines_for(key)] == [limit]


@pytest.mark.parametrize(
    ("limit", "text"),
    [(minutes(45), "45 min"), (hours(3), "3 h"), (working_days(4), "4 working days")],
)
def test_limits_read_as_said(limit: Limit, text: str) -> None:
    assert str(limit) == text


def test_a_limit_is_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        minutes(0)
