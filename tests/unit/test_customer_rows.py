"""Rows to customer objects (`callcenter.storage.customer_rows`): enum values are looked up
in a table (issue 17: an enum's own call cost a few µs, several a profile), with the same
answers and the same error as the enum's call."""

from __future__ import annotations

import pytest

from callcenter.customers.models import AccountStatus, CustomerClass, PaymentMode
from callcenter.storage.customer_rows import _by_value, customer_from


def test_every_member_is_found_by_its_value() -> None:
    for cls in (PaymentMode, AccountStatus, CustomerClass):
        member = _by_value(cls)
        assert [member(m.value) for m in cls] == list(cls)


def test_an_unknown_value_is_refused_as_the_enum_refuses_it() -> None:
    with pytest.raises(ValueError, match="'barter' is not a valid PaymentMode"):
        _by_value(PaymentMode)("barter")


def test_a_customer_row_with_flags_and_no_manager() -> None:
    customer = customer_from(
        {
            "id": 7,
            "name": "张伟",
            "customer_class": "residential",
            "important_grade": None,
            "account_manager_id": None,
            "manager_name": None,
            "vulnerable_flags": "life_support,elderly_alone",
        }
    )
    assert customer.customer_class is CustomerClass.RESIDENTIAL
    assert customer.account_manager is None and customer.important_grade is None
    assert {flag.value for flag in customer.vulnerable} == {"life_support", "elderly_alone"}
