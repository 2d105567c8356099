"""Money, dates, times and digits as a caller hears them."""

from __future__ import annotations

import pytest

from ivr_flows.speech import say_date, say_datetime, say_digits, say_money, say_time


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("123.45", "123元4角5分", "123 yuan 4 jiao 5 fen"),
        ("100.05", "100元零5分", "100 yuan 5 fen"),
        ("0.50", "5角", "5 jiao"),
        ("0.05", "5分", "5 fen"),
        ("509", "509元", "509 yuan"),
        ("0", "0元", "0 yuan"),
        ("-3.20", "负3元2角", "minus 3 yuan 2 jiao"),
        ("n/a", "n/a", "n/a"),
    ],
)
def test_money(amount: str, zh: str, en: str) -> None:
    assert (say_money(amount, "zh-CN"), say_money(amount, "en-US")) == (zh, en)


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("2026-03-10T14:30:00+08:00", "3月10日14点30分", "March 10 at 2:30 PM"),
        ("2026-12-01T09:00:00+08:00", "12月1日9点整", "December 1 at 9:00 AM"),
        ("2026-01-05T00:05:00+08:00", "1月5日0点5分", "January 5 at 12:05 AM"),
    ],
)
def test_date_and_time(value: str, zh: str, en: str) -> None:
    assert (say_datetime(value, "zh-CN"), say_datetime(value, "en-US")) == (zh, en)


def test_date_alone_and_bad_values() -> None:
    assert say_date("2026-03-10", "zh-CN") == "3月10日"
    assert say_time("soon", "en-US") == "soon"


def test_digits_one_by_one() -> None:
    assert say_digits("3300-000012") == "3 3 0 0 0 0 0 0 1 2"
