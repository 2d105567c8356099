"""Campaign target queries on SQLite and PostgreSQL: the right accounts, the preferred
number, the message values, preview = build, CSV all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.errors import InvalidInputError, NotFoundError
from callcenter.storage import campaign_targets
from outbound.models import (
    CampaignStateError,
    CsvRejection,
    TargetCsvError,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW
from tests.integration.outbound_helpers import Town, campaign, stores, town

K = TargetQueryKind


def _query(kind: TargetQueryKind, value: str, t: Town) -> TargetQuery:
    value = value.replace("OUTAGE", str(t.outage_id)).replace("TICKET", str(t.ticket_id))
    return TargetQuery(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        # one per customer: 李四's second account is left out, 赵六 has no phone
        (K.OUTAGE, "OUTAGE", ["3300000001", "3300000002", "3300000004"]),
        (K.BILLS_DUE, "5", ["3300000001"]),
        (K.BILLS_DUE, "1", []),
        (K.ARREARS_OVER, "30", ["3300000001"]),
        (K.ARREARS_OVER, "10", ["3300000001", "3300000006"]),
        (K.BALANCE_BELOW, "30", ["3300000004"]),
        (K.BALANCE_BELOW, "12.5", []),
        (K.TICKET, "TICKET", ["3300000003"]),
    ],
)
async def test_queries_pick_the_right_accounts_and_preview_counts_what_build_stores(
    engine: AsyncEngine, kind: TargetQueryKind, value: str, expected: list[str]
) -> None:
    t = await town(engine)
    s = stores(engine)
    query = _query(kind, value, t)
    preview = await s.targets.preview(query, NOW, sample=10)
    assert [c.account_no for c in preview.sample] == expected
    assert preview.count == len(expected)
    campaign_id = await campaign(s, NOW, query)
    assert await s.targets.build(campaign_id, query, NOW) == preview.count
    assert await s.targets.count(campaign_id) == preview.count
    claimed = await s.attempts.claim(campaign_id, 100, NOW, "test")
    assert sorted(target.account_id for _, target in claimed) == [t.accounts[n] for n in expected]


async def test_outage_targets_carry_the_outage_and_the_preferred_number(
    engine: AsyncEngine,
) -> None:
    t = await town(engine)
    preview = await stores(engine).targets.preview(_query(K.OUTAGE, "OUTAGE", t), NOW)
    first = preview.sample[0]
    assert first.phone == "+8613800000001"  # the mobile, before a landline
    assert first.values["outage_etr"] == "2026-03-10T04:00:00+00:00"
    assert first.values["outage_cause"] == "10kV线路故障跳闸"
    assert first.values["account_no"] == "3300000001"
    assert (first.area, first.vulnerable, first.disputed) == ("西湖区", False, False)


async def test_arrears_values_carry_the_late_fee_to_date(engine: AsyncEngine) -> None:
    await town(engine)
    preview = await stores(engine).targets.preview(TargetQuery(K.ARREARS_OVER, "30"), NOW)
    values = preview.sample[0].values
    # 100.00 overdue 54 days at 1‰ a day (residential); the bill not yet due is no arrears
    assert (values["arrears"], values["late_fee"], values["total_due"]) == (
        "100.00",
        "5.40",
        "105.40",
    )
    assert values["overdue_since"] == "2026-01-15"


async def test_bill_and_balance_values(engine: AsyncEngine) -> None:
    await town(engine)
    s = stores(engine)
    due = await s.targets.preview(TargetQuery(K.BILLS_DUE, "5"), NOW)
    assert (due.sample[0].values["amount_due"], due.sample[0].values["due_date"]) == (
        "80.00",
        "2026-03-12",
    )
    low = await s.targets.preview(TargetQuery(K.BALANCE_BELOW, "30"), NOW)
    assert low.sample[0].values["balance"] == "12.50"


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        (K.OUTAGE, "999999", NotFoundError),
        (K.TICKET, "999999", NotFoundError),
        (K.BILLS_DUE, "soon", InvalidInputError),
        (K.ARREARS_OVER, "-3", InvalidInputError),
        (K.ARREARS_OVER, "2.5", InvalidInputError),
        (K.BALANCE_BELOW, "NaN", InvalidInputError),
        (K.BILLS_DUE, "99999999", InvalidInputError),
    ],
)
async def test_bad_queries_get_clear_errors(
    engine: AsyncEngine, kind: TargetQueryKind, value: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await stores(engine).targets.preview(TargetQuery(kind, value), NOW)


CSV = TargetQuery(K.CSV, "accounts.csv")


async def test_csv_with_a_bad_row_loads_nothing_and_names_every_line(engine: AsyncEngine) -> None:
    await town(engine)
    s = stores(engine)
    campaign_id = await campaign(s, NOW)
    text = "account_no\n3300000001\nabc\n3300000001\n9999999999\n\n3300000005,x\n3300000004\n"
    with pytest.raises(TargetCsvError) as caught:
        await s.targets.build(campaign_id, CSV, NOW, csv=text)
    assert caught.value.rejected == (
        CsvRejection(3, "abc", "not an account number (10 to 13 digits)"),
        CsvRejection(4, "3300000001", "repeats line 2"),
        CsvRejection(5, "9999999999", "no such account"),
        CsvRejection(7, "3300000005", "the account has no phone number"),
    )
    assert caught.value.code == "csv-rejected"
    assert await s.targets.count(campaign_id) == 0
    assert await s.attempts.claim(campaign_id, 10, NOW, "test") == []


async def test_a_clean_csv_loads_every_row(engine: AsyncEngine) -> None:
    t = await town(engine)
    s = stores(engine)
    campaign_id = await campaign(s, NOW)
    text = "3300000004\r\n3300000001\r\n"
    assert (await s.targets.preview(CSV, NOW, csv=text)).count == 2
    assert await s.targets.build(campaign_id, CSV, NOW, csv=text) == 2
    claimed = await s.attempts.claim(campaign_id, 10, NOW, "test")
    accounts = {target.account_id for _, target in claimed}
    assert accounts == {t.accounts["3300000004"], t.accounts["3300000001"]}


@pytest.mark.parametrize(("text", "code"), [(None, "csv-missing"), ("account_no\n\n", "csv-empty")])
async def test_csv_without_accounts_is_refused(
    engine: AsyncEngine, text: str | None, code: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await stores(engine).targets.preview(CSV, NOW, csv=text)
    assert caught.value.code == code


async def test_a_campaign_is_built_once(engine: AsyncEngine) -> None:
    await town(engine)
    s = stores(engine)
    query = TargetQuery(K.BALANCE_BELOW, "30")
    campaign_id = await campaign(s, NOW, query)
    await s.targets.build(campaign_id, query, NOW)
    with pytest.raises(CampaignStateError):
        await s.targets.build(campaign_id, query, NOW)
    assert await s.targets.count(campaign_id) == 1


async def test_a_build_in_many_batches_stores_every_target(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await town(engine)
    monkeypatch.setattr(campaign_targets, "BATCH", 1)  # the stream read between the inserts
    s = stores(engine)
    query = _query(K.OUTAGE, "OUTAGE", t)
    campaign_id = await campaign(s, NOW, query)
    assert await s.targets.build(campaign_id, query, NOW) == 3
    assert len(await s.attempts.claim(campaign_id, 10, NOW, "test")) == 3
