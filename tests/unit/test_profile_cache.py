"""The per-call profile cache: a call's copies, their TTL, least recently used calls dropped."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from callcenter.callflow.profile_cache import ProfileCache, account_key, phone_key
from callcenter.core.clock import ManualClock
from callcenter.core.latefee import LateFee
from callcenter.customers.models import (
    Account,
    AccountProfile,
    AccountStatus,
    AreaClass,
    Customer,
    CustomerClass,
    CustomerProfile,
    PaymentMode,
    ProfileLookup,
    ServicePoint,
)
from tests.conftest import NOW

PHONE = phone_key("+8613800138000")


def account(number: str, account_id: int = 1) -> AccountProfile:
    point = ServicePoint(account_id, "文三路1号", "西湖区", "F02-007", AreaClass.URBAN)
    held = Account(
        account_id,
        number,
        1,
        "residential",
        PaymentMode.POSTPAID,
        None,
        80,
        AccountStatus.ACTIVE,
        point,
    )
    return AccountProfile(held, LateFee(Decimal("500.00"), Decimal("9.00"), ()), ())


def lookup(*numbers: str) -> ProfileLookup:
    customer = Customer(1, "张伟", CustomerClass.RESIDENTIAL, None, None, frozenset())
    accounts = tuple(account(n, i) for i, n in enumerate(numbers, start=1))
    return ProfileLookup("+8613800138000", None, (CustomerProfile(customer, accounts, (), ()),))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def test_a_kept_lookup_is_the_calls_own(clock: ManualClock) -> None:
    cache = ProfileCache(clock)
    found = lookup("3300000001")
    cache.put("c1", PHONE, found)
    assert cache.get("c1", PHONE) is found
    assert cache.get("c2", PHONE) is None
    assert cache.get("c1", phone_key("+8613900139000")) is None


def test_each_account_of_a_phone_lookup_answers_a_lookup_by_that_account(
    clock: ManualClock,
) -> None:
    cache = ProfileCache(clock)
    cache.put("c1", PHONE, lookup("3300000001", "3300000002"))
    second = cache.get("c1", account_key("3300000002"))
    assert second is not None and second.account_no == "3300000002"
    assert [a.account.account_no for a in second.profiles[0].accounts] == ["3300000002"]
    assert second.profiles[0].customer.name == "张伟"


@pytest.mark.parametrize(
    ("age", "kept"),
    [(timedelta(minutes=4, seconds=59), True), (timedelta(minutes=5, seconds=1), False)],
)
def test_a_copy_older_than_the_ttl_is_not_used(
    clock: ManualClock, age: timedelta, kept: bool
) -> None:
    cache = ProfileCache(clock, ttl=timedelta(minutes=5))
    cache.put("c1", PHONE, lookup("3300000001"))
    clock.advance(age)
    assert (cache.get("c1", PHONE) is not None) is kept
    assert (cache.get("c1", account_key("3300000001")) is not None) is kept


def test_the_least_recently_used_call_is_dropped_past_the_bound(clock: ManualClock) -> None:
    cache = ProfileCache(clock, max_calls=2)
    cache.put("c1", PHONE, lookup("3300000001"))
    cache.put("c2", PHONE, lookup("3300000001"))
    assert cache.get("c1", PHONE) is not None  # c1 used: c2 is now the oldest
    cache.put("c3", PHONE, lookup("3300000001"))
    assert len(cache) == 2
    assert cache.get("c2", PHONE) is None
    assert cache.get("c1", PHONE) is not None and cache.get("c3", PHONE) is not None


def test_calls_whose_copies_are_all_stale_are_let_go_at_the_next_keep(
    clock: ManualClock,
) -> None:
    cache = ProfileCache(clock, ttl=timedelta(minutes=5))
    cache.put("c1", PHONE, lookup("3300000001"))
    cache.put("c2", PHONE, lookup("3300000001"))
    clock.advance(timedelta(minutes=3))
    cache.put("c2", PHONE, lookup("3300000001"))  # c2 read again: fresh
    clock.advance(timedelta(minutes=3))
    cache.put("c3", PHONE, lookup("3300000001"))
    assert len(cache) == 2 and cache.get("c2", PHONE) is not None


def test_a_dropped_call_reads_afresh(clock: ManualClock) -> None:
    cache = ProfileCache(clock)
    cache.put("c1", PHONE, lookup("3300000001"))
    cache.drop("c1")
    cache.drop("never-seen")
    assert cache.get("c1", PHONE) is None and len(cache) == 0


@pytest.mark.parametrize(("ttl", "max_calls"), [(timedelta(0), 10), (timedelta(minutes=5), 0)])
def test_a_cache_that_could_keep_nothing_is_refused(
    clock: ManualClock, ttl: timedelta, max_calls: int
) -> None:
    with pytest.raises(ValueError, match="max_calls"):
        ProfileCache(clock, ttl=ttl, max_calls=max_calls)
