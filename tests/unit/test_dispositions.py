"""The pure decisions of campaign dispositions: promise dates and amounts at their edges,
call-back times, kinds per campaign type, who may record, and what each one does next."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from callcenter.core.errors import CallcenterError
from outbound.desk.models import DispositionKind, Effects
from outbound.dispositions import (
    DispositionContext,
    DispositionRequest,
    amount_due,
    check_caller,
    decide,
    effects_of,
    promise_max_days,
)
from outbound.models import CampaignType

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 6)
END = NOW + timedelta(days=3)
T = CampaignType


def ctx(kind: CampaignType = T.ARREARS_REMINDER, due: str | None = "359.76") -> DispositionContext:
    return DispositionContext(kind, END, None if due is None else Decimal(due), TODAY, NOW, 30)


def promise(day: date, amount: str) -> DispositionRequest:
    return DispositionRequest("promise-to-pay", day, Decimal(amount))


@pytest.mark.parametrize(
    ("request_", "context", "code"),
    [
        (promise(TODAY, "0.01"), ctx(), None),
        (promise(TODAY + timedelta(days=30), "359.76"), ctx(), None),
        (promise(TODAY - timedelta(days=1), "100"), ctx(), "promise-date-out-of-range"),
        (promise(TODAY + timedelta(days=31), "100"), ctx(), "promise-date-out-of-range"),
        (promise(TODAY, "0"), ctx(), "promise-amount-invalid"),
        (promise(TODAY, "-5"), ctx(), "promise-amount-invalid"),
        (promise(TODAY, "359.77"), ctx(), "promise-amount-invalid"),
        (promise(TODAY, "99999"), ctx(due=None), None),
        (promise(TODAY, "10"), ctx(T.OUTAGE_NOTICE), "invalid-disposition"),
        (DispositionRequest("promise-to-pay", TODAY), ctx(), "invalid-disposition"),
        (DispositionRequest("maybe"), ctx(), "invalid-disposition"),
        (DispositionRequest("already-paid"), ctx(T.BILL_REMINDER), None),
        (DispositionRequest("already-paid"), ctx(T.OUTAGE_NOTICE), "invalid-disposition"),
        (DispositionRequest("wrong-number"), ctx(T.OUTAGE_NOTICE), None),
        (DispositionRequest("refused"), ctx(), None),
        (DispositionRequest("call-back"), ctx(), "invalid-disposition"),
        (DispositionRequest("call-back", call_back_at=NOW), ctx(), "call-back-out-of-range"),
        (DispositionRequest("call-back", call_back_at=END), ctx(), "call-back-out-of-range"),
        (
            DispositionRequest("call-back", call_back_at=END - timedelta(minutes=1)),
            ctx(),
            None,
        ),
    ],
)
def test_decide(
    request_: DispositionRequest, context: DispositionContext, code: str | None
) -> None:
    if code is None:
        assert decide(request_, context).kind == DispositionKind(request_.kind)
    else:
        with pytest.raises(CallcenterError) as err:
            decide(request_, context)
        assert err.value.code == code


def test_a_promise_keeps_its_date_and_amount_to_the_fen() -> None:
    decided = decide(promise(TODAY + timedelta(days=5), "100.5"), ctx())
    assert (decided.promise_date, decided.amount) == (date(2026, 12, 11), Decimal("100.50"))


@pytest.mark.parametrize(
    ("kind", "campaign", "effects"),
    [
        ("promise-to-pay", T.ARREARS_REMINDER, Effects(promise=True, reminder=True)),
        ("promise-to-pay", T.BILL_REMINDER, Effects(promise=True)),
        ("already-paid", T.ARREARS_REMINDER, Effects(cancel_pending=True)),
        ("wrong-number", T.OUTAGE_NOTICE, Effects(cancel_pending=True, opt_out=True)),
        ("refused", T.DISCONNECTION_NOTICE, Effects(reminder=True)),
        ("refused", T.BILL_REMINDER, Effects()),
    ],
)
def test_effects(kind: str, campaign: CampaignType, effects: Effects) -> None:
    request = DispositionRequest(kind, TODAY, Decimal("10"))
    assert effects_of(decide(request, ctx(campaign)), campaign) == effects


def test_a_call_back_adds_an_attempt_at_its_time() -> None:
    at = NOW + timedelta(hours=2)
    decided = decide(DispositionRequest("call-back", call_back_at=at), ctx())
    assert effects_of(decided, T.ARREARS_REMINDER) == Effects(cancel_pending=True, call_back_at=at)


@pytest.mark.parametrize(
    ("role", "user", "agents", "allowed"),
    [
        ("agent", 7, (7, None), True),
        ("agent", 7, (None, 7), True),
        ("agent", 8, (7, 7), False),
        ("agent", None, (None, None), False),
        ("supervisor", 1, (7, None), True),
        ("admin", None, (None, None), True),
    ],
)
def test_who_may_record(
    role: str, user: int | None, agents: tuple[int | None, ...], allowed: bool
) -> None:
    if allowed:
        check_caller(role, user, agents)
    else:
        with pytest.raises(CallcenterError, match="only the agent") as err:
            check_caller(role, user, agents)
        assert err.value.code == "not-your-call"


@pytest.mark.parametrize(
    ("values", "due"),
    [
        ({"total_due": "359.76", "arrears": "356.20"}, Decimal("359.76")),
        ({"amount_due": "80.00"}, Decimal("80.00")),
        ({"arrears": "12"}, Decimal("12")),
        ({"total_due": "n/a", "arrears": "12"}, Decimal("12")),
        ({"outage_area": "西湖区"}, None),
    ],
)
def test_amount_due(values: dict[str, str], due: Decimal | None) -> None:
    assert amount_due(values) == due


@pytest.mark.parametrize(
    ("extra", "days"),
    [((), 30), ((("promise_max_days", "14"),), 14), ((("promise_max_days", "x"),), 30)],
)
def test_the_packs_promise_limit(extra: tuple[tuple[str, str], ...], days: int) -> None:
    assert promise_max_days(extra) == days
