"""Campaigns, opt-outs, area suspensions, arrears sequences and contact history in SQL,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.arrears import SqlArrearsStore
from callcenter.storage.campaigns import SqlAreaSuspensions, SqlOptOuts
from callcenter.storage.contact_history import SqlContactHistory
from outbound.models import (
    ArrearsEvent,
    ArrearsSequence,
    ArrearsStep,
    AttemptResult,
    CampaignState,
    CampaignStateError,
    CampaignType,
    ContactCounts,
    DailyWindow,
    GatewayKind,
    NewCampaign,
    NoSuchCampaignError,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW
from tests.integration.outbound_helpers import campaign, stores, town

RUN = CampaignState.RUNNING
DRAFT = CampaignState.DRAFT


async def test_a_campaign_is_stored_and_found(engine: AsyncEngine) -> None:
    s = stores(engine)
    new = NewCampaign(
        "停电通知",
        CampaignType.OUTAGE_NOTICE,
        GatewayKind.TWILIO,
        TargetQuery(TargetQueryKind.OUTAGE, "7"),
        start_at=NOW,
        window=DailyWindow(time(8), time(21)),
        priority=5,
        sms=True,
    )
    created = await s.campaigns.create(new, NOW)
    found = await s.campaigns.get(created.campaign.id)
    assert found == created
    assert found.campaign.state is DRAFT and found.window == DailyWindow(time(8), time(21))
    assert (found.campaign.query, found.campaign.priority, found.campaign.sms) == (
        new.query,
        5,
        True,
    )
    other = await campaign(s, NOW)
    listed = await s.campaigns.list_campaigns()
    assert [r.campaign.id for r in listed] == [created.campaign.id, other]
    assert await s.campaigns.list_campaigns([RUN]) == []
    assert await s.campaigns.get(999999) is None


async def test_campaign_state_changes_are_compare_and_set(engine: AsyncEngine) -> None:
    s = stores(engine)
    campaign_id = await campaign(s, NOW)
    later = NOW + timedelta(minutes=1)
    running = await s.campaigns.set_state(campaign_id, RUN, [DRAFT, CampaignState.PAUSED], later)
    assert (running.campaign.state, running.updated_at) == (RUN, later)
    with pytest.raises(CampaignStateError, match="is running"):
        await s.campaigns.set_state(campaign_id, RUN, [DRAFT], later)
    with pytest.raises(NoSuchCampaignError):
        await s.campaigns.set_state(999999, RUN, [DRAFT], later)


async def test_opt_outs_hold_across_campaigns_and_keep_the_first_time(engine: AsyncEngine) -> None:
    opt_outs = SqlOptOuts(engine)
    await opt_outs.add("+8613800000001", NOW, "keypress", 1)
    await opt_outs.add("+8613800000001", NOW + timedelta(hours=1), "api", None)
    assert await opt_outs.is_opted_out("+8613800000001")
    assert not await opt_outs.is_opted_out("+8613800000002")
    assert await opt_outs.opted_out(["+8613800000002", "+8613800000001"]) == {"+8613800000001"}


async def test_area_suspensions_in_force(engine: AsyncEngine) -> None:
    suspensions = SqlAreaSuspensions(engine)
    storm = await suspensions.add("西湖区", "storm", NOW, NOW + timedelta(hours=6), "admin:1")
    await suspensions.add("余杭区", "by hand", NOW + timedelta(hours=1), None, "cli")
    assert await suspensions.in_force(NOW) == [storm]
    later = [s.area for s in await suspensions.in_force(NOW + timedelta(hours=6))]
    assert later == ["余杭区"]


def _event(account_id: int, frm: ArrearsStep | None, to: ArrearsStep) -> ArrearsEvent:
    return ArrearsEvent(account_id, NOW, frm, to, "supervisor", 3, {"note": "审批"})


async def test_arrears_steps_are_compare_and_set_with_history(engine: AsyncEngine) -> None:
    t = await town(engine)
    store = SqlArrearsStore(engine)
    account_id = t.accounts["3300000001"]
    since = datetime(2026, 1, 15, 16, tzinfo=UTC)
    overdue = ArrearsSequence(account_id, ArrearsStep.OVERDUE, Decimal("100.00"), since)
    assert await store.save(overdue, _event(account_id, None, ArrearsStep.OVERDUE), None)
    assert not await store.save(overdue, _event(account_id, None, ArrearsStep.OVERDUE), None)
    reminded = ArrearsSequence(account_id, ArrearsStep.REMINDED, Decimal("100.00"), since)
    step = _event(account_id, ArrearsStep.OVERDUE, ArrearsStep.REMINDED)
    assert not await store.save(reminded, step, ArrearsStep.APPROVED)  # stale expectation
    assert await store.save(reminded, step, ArrearsStep.OVERDUE)
    found = await store.get(account_id)
    assert found is not None
    assert (found.step, found.arrears, found.overdue_since) == (
        ArrearsStep.REMINDED,
        Decimal("100.00"),
        since,
    )
    history = await store.history(account_id)
    assert [(e.from_step, e.to_step) for e in history] == [
        (None, ArrearsStep.OVERDUE),
        (ArrearsStep.OVERDUE, ArrearsStep.REMINDED),
    ]
    assert history[1].data == {"note": "审批"} and history[1].actor_id == 3
    assert await store.get(t.accounts["3300000002"]) is None


async def test_contact_counts_for_the_frequency_caps(engine: AsyncEngine) -> None:
    t = await town(engine)
    s = stores(engine)
    query = TargetQuery(TargetQueryKind.ARREARS_OVER, "10")
    arrears = await s.campaigns.create(
        NewCampaign("催交", CampaignType.ARREARS_REMINDER, GatewayKind.SIMULATED, query), NOW
    )
    campaign_id = arrears.campaign.id
    await s.targets.build(campaign_id, query, NOW)
    yesterday = NOW - timedelta(days=1)
    (first, target), (second, _) = await s.attempts.claim(campaign_id, 2, NOW, "d")
    await s.attempts.mark_sending(first.id, yesterday)
    await s.attempts.record_result(first.id, AttemptResult.NO_ANSWER, NOW, retry_at=NOW)
    ((retry, _),) = await s.attempts.claim(campaign_id, 1, NOW, "d")
    await s.attempts.mark_sending(retry.id, NOW)
    await s.attempts.record_result(retry.id, AttemptResult.BUSY, NOW)
    await s.attempts.record_result(second.id, AttemptResult.REFUSED, NOW)  # never dialled
    day_start = datetime(2026, 3, 9, 16, tzinfo=UTC)  # midnight in Beijing
    counts = await SqlContactHistory(engine).contact_counts(
        [target.customer_id, 424242], day_start, NOW
    )
    assert counts == {target.customer_id: ContactCounts(1, 2, 1)}
    assert t.accounts["3300000001"] == target.account_id
