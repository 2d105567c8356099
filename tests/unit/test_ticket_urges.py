"""催办's pure parts: which call about a ticket an urge is, the routing band of an urging
caller (never into the hazard band), and the screen-pop's urge flags."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from agents.pop import PopCustomer, PopTicket, ScreenPop
from callcenter.core.policy import CN_SGCC
from callcenter.tickets.urges import call_no, urged_band

AT = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("urge_count", "expected"), [(0, 2), (1, 3), (5, 7)])
def test_the_first_urge_is_the_second_call_about_the_ticket(urge_count: int, expected: int) -> None:
    assert call_no(urge_count) == expected


@pytest.mark.parametrize(
    ("band", "boost", "expected"),
    [
        (3, 1, 2),  # normal → vulnerable
        (2, 1, 1),  # vulnerable → important
        (1, 1, 1),  # important stays: an urge never reaches the hazard band
        (0, 1, 0),  # hazard stays hazard
        (3, 2, 1),
        (3, 5, 1),  # a large boost stops at important
        (3, 0, 3),  # a pack without the boost
        (3, -1, 3),  # a negative figure never lowers a call
    ],
)
def test_an_urging_caller_rises_by_the_packs_boost(band: int, boost: int, expected: int) -> None:
    assert urged_band(band, boost) == expected


def test_the_cn_sgcc_pack_raises_one_band() -> None:
    assert CN_SGCC.urge_priority_boost == 1


def ticket(number: str, call_no: int | None) -> PopTicket:
    return PopTicket(1, number, "complaint", "open", AT, None, "态度差", 1, "warn70", call_no)


def pop(*tickets: PopTicket) -> ScreenPop:
    customer = PopCustomer(7, "张伟", "residential", None, None, (), (), tickets)
    return ScreenPop(
        "c1", "+8613800138000", "billing", AT, False, None, (), (), (customer,), date(2026, 3, 10)
    )


def test_the_pop_names_the_tickets_this_call_urges() -> None:
    shown = pop(ticket("20260310000001", 2), ticket("20260310000002", None)).to_json()
    assert shown["urges"] == [{"ticket_id": 1, "number": "20260310000001", "call_no": 2}]
    first = shown["customers"][0]["open_tickets"][0]
    assert (first["urge_count"], first["sla_state"], first["call_no"]) == (1, "warn70", 2)
    assert shown["customers"][0]["open_tickets"][1]["call_no"] is None


def test_a_pop_without_urges_says_so() -> None:
    assert pop(ticket("20260310000002", None)).to_json()["urges"] == []
