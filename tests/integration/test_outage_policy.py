"""Outage events start campaigns by policy, on the SQL stores: an outage declared → a
running outage-notice to the customers it cuts; its ETR changed → an etr-update (an edit of
anything else starts nothing); restored → a restoration-notice to the callers the IVR
registered (and, per policy, everyone the notices reached); one restoration campaign
however often the close is told; a notice too late for the lead-time rule is recorded and
the outage stored all the same; a failing policy never fails the outage change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.outage_policy import OutagePolicy
from callcenter.campaigns.wiring import OutboundStores
from callcenter.config import OutagePolicySettings
from callcenter.core.audit import CLI_EDITOR
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.outages.models import (
    NewOutage,
    Outage,
    OutageChanges,
    OutageClosedError,
    OutageEvent,
    OutageEventKind,
    OutageKind,
    OutageStatus,
)
from callcenter.outages.service import OutageService
from callcenter.storage.audit import SqlAuditLog
from callcenter.storage.outages import SqlOutageStore
from callcenter.storage.tables import call_events, calls
from outbound.campaigns import CampaignService
from outbound.models import (
    AttemptResult,
    CampaignRecord,
    CampaignState,
    CampaignType,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW
from tests.integration.outbound_helpers import town

ZHANG, LI = "+8613800000001", "+8613800000002"
CALLER = "+8613900000009"  # the number 李四 called from
T = CampaignType


@dataclass
class Rig:
    engine: AsyncEngine
    stores: OutboundStores
    policy: OutagePolicy
    outages: OutageService
    clock: ManualClock

    async def campaigns(self, kind: CampaignType | None = None) -> list[CampaignRecord]:
        found = await self.stores.campaigns.list_campaigns()
        return sorted(
            (r for r in found if kind is None or r.campaign.type is kind),
            key=lambda r: r.campaign.id,
        )

    async def phones(self, campaign_id: int) -> set[str]:
        preview = await self.stores.targets.preview(
            (await self.stores.campaigns.get(campaign_id)).campaign.query,  # type: ignore[union-attr]
            self.clock.now(),
            sample=50,
        )
        return {c.phone for c in preview.sample}

    async def notes(self, outage_id: int) -> list[tuple[str, Any]]:
        entries = await SqlAuditLog(self.engine).entries("outage-policy", str(outage_id))
        return [(e.action, dict(e.data)) for e in entries]

    async def declare(self, kind: OutageKind = OutageKind.FAULT, **changes: Any) -> Outage:
        new = NewOutage(
            kind,
            "文三路沿线",
            "10kV线路故障跳闸",
            changes.get("start", NOW - timedelta(minutes=10)),
            changes.get("etr", NOW + timedelta(hours=3)),
            ("F01-001",),
        )
        outage = await self.outages.create(new, CLI_EDITOR)
        await self.policy.settle()
        return outage

    async def change(self, outage_id: int, **changes: Any) -> Outage:
        outage = await self.outages.update(outage_id, OutageChanges(**changes), CLI_EDITOR)
        await self.policy.settle()
        return outage


async def on_town(engine: AsyncEngine, clock: ManualClock, **policy: Any) -> Rig:
    """The town's customers, and outages declared with the policy `policy`."""
    await town(engine)
    stores = OutboundStores.on(engine, CN_SGCC, "Asia/Shanghai")
    settings = OutagePolicySettings(**policy)
    events = OutagePolicy.on(engine, stores.campaign_service(CN_SGCC, clock), settings, clock)
    outages = OutageService(SqlOutageStore(engine), clock, "Asia/Shanghai", events)
    return Rig(engine, stores, events, outages, clock)


async def asked_to_be_told(engine: AsyncEngine, account_no: str, phone: str, at: Any) -> None:
    """A call in which the IVR registered the caller for a restoration notice."""
    call_id = f"01CALL{account_no}{int(at.timestamp())}"[:26]
    async with engine.begin() as conn:
        await conn.execute(
            insert(calls).values(
                id=call_id,
                direction="inbound",
                from_number=phone,
                to_number="95598",
                state="ended",
                started_at=at,
            )
        )
        data = {"kind": "notify_on_restore", "account_no": account_no}
        await conn.execute(
            insert(call_events).values(call_id=call_id, seq=1, at=at, type="note_added", data=data)
        )


async def test_a_declared_outage_starts_a_notice_to_everyone_it_cuts(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = await on_town(engine, clock)
    outage = await r.declare()
    [notice] = await r.campaigns()
    campaign = notice.campaign
    assert (campaign.type, campaign.state) == (T.OUTAGE_NOTICE, CampaignState.RUNNING)
    assert campaign.query == TargetQuery(TargetQueryKind.OUTAGE, str(outage.id))
    assert await r.stores.targets.count(campaign.id) == 2  # 张三, 李四 (once); 赵六 has no phone
    assert await r.phones(campaign.id) == {ZHANG, LI}
    assert await r.notes(outage.id) == [
        ("campaign-started", {"campaign_type": "outage-notice", "campaign_id": campaign.id})
    ]


async def test_only_an_etr_change_starts_an_update(engine: AsyncEngine, clock: ManualClock) -> None:
    r = await on_town(engine, clock)
    outage = await r.declare()
    await r.change(outage.id, area="文三路东段", cause="电缆故障")
    await r.change(outage.id, estimated_restoration_at=outage.estimated_restoration_at)
    assert await r.campaigns(T.ETR_UPDATE) == []
    await r.change(outage.id, estimated_restoration_at=NOW + timedelta(hours=5))
    await r.change(outage.id, estimated_restoration_at=NOW + timedelta(hours=6))
    updates = await r.campaigns(T.ETR_UPDATE)
    assert len(updates) == 2  # each change is news
    assert all(u.campaign.state is CampaignState.RUNNING for u in updates)
    assert await r.stores.targets.count(updates[0].campaign.id) == 2


@pytest.mark.parametrize(
    ("restoration", "expected"),
    [("callers", {CALLER}), ("callers-and-notified", {CALLER, ZHANG})],
)
async def test_a_restoration_tells_the_callers_and_per_policy_the_notified(
    engine: AsyncEngine, clock: ManualClock, restoration: str, expected: set[str]
) -> None:
    r = await on_town(engine, clock, restoration=restoration)
    outage = await r.declare()
    await asked_to_be_told(engine, "3300000002", CALLER, NOW)  # 李四, on the outage
    await asked_to_be_told(engine, "3300000006", "+8613900000006", NOW)  # another feeder
    await asked_to_be_told(engine, "3300000001", ZHANG, NOW - timedelta(days=1))  # before it
    [notice] = await r.campaigns(T.OUTAGE_NOTICE)
    claimed = await r.stores.attempts.claim(notice.campaign.id, 10, NOW, "test")
    results = {ZHANG: AttemptResult.CONFIRMED, LI: AttemptResult.NO_ANSWER}
    for attempt, target in claimed:
        await r.stores.attempts.record_result(attempt.id, results[target.phone], NOW)
    clock.advance(timedelta(hours=1))
    await r.change(outage.id, status=OutageStatus.RESTORED)
    [restoration_notice] = await r.campaigns(T.RESTORATION_NOTICE)
    campaign = restoration_notice.campaign
    assert campaign.state is CampaignState.RUNNING
    assert await r.phones(campaign.id) == expected
    preview = await r.stores.targets.preview(campaign.query, clock.now())
    values = preview.sample[0].values
    assert values["restored_at"] == clock.now().isoformat()
    assert values["outage_area"] == "文三路沿线"


async def test_one_restoration_campaign_however_often_the_close_is_told(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = await on_town(engine, clock)
    outage = await r.declare()
    await asked_to_be_told(engine, "3300000002", CALLER, NOW)
    closed = await r.change(outage.id, status=OutageStatus.RESTORED)
    with pytest.raises(OutageClosedError):
        await r.change(outage.id, status=OutageStatus.RESTORED)
    again = await r.policy.handle(OutageEvent(OutageEventKind.RESTORED, closed, outage))
    [restoration] = await r.campaigns(T.RESTORATION_NOTICE)
    assert again.campaign_id == restoration.campaign.id and again.skipped == "exists"
    assert len(await r.campaigns(T.OUTAGE_NOTICE)) == 1


async def test_a_restoration_nobody_asked_about_starts_nothing(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = await on_town(engine, clock, restoration="callers")
    outage = await r.declare()
    await r.change(outage.id, status=OutageStatus.RESTORED)
    assert await r.campaigns(T.RESTORATION_NOTICE) == []
    assert (await r.notes(outage.id))[-1] == (
        "policy-skipped",
        {"campaign_type": "restoration-notice", "reason": "nobody to tell"},
    )


async def test_a_notice_too_late_is_recorded_and_the_outage_stored(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = await on_town(engine, clock)
    start = NOW + timedelta(days=2)  # a planned outage needs 7 days' notice
    outage = await r.declare(OutageKind.PLANNED, start=start, etr=start + timedelta(hours=8))
    assert (await r.outages.get(outage.id)).status is OutageStatus.SCHEDULED
    assert await r.campaigns() == []
    [(action, data)] = await r.notes(outage.id)
    assert action == "notice-refused"
    assert data["code"] == "notice-too-late" and data["campaign_type"] == "outage-notice"


@pytest.mark.parametrize(
    "policy",
    [
        {"notice_on_create": False, "etr_update": False, "restoration": "off"},
    ],
)
async def test_policies_switched_off_start_nothing(
    engine: AsyncEngine, clock: ManualClock, policy: dict[str, Any]
) -> None:
    r = await on_town(engine, clock, **policy)
    outage = await r.declare()
    await asked_to_be_told(engine, "3300000002", CALLER, NOW)
    await r.change(outage.id, estimated_restoration_at=NOW + timedelta(hours=5))
    await r.change(outage.id, status=OutageStatus.RESTORED)
    assert await r.campaigns() == []


class Broken:
    async def published(self, event: OutageEvent) -> None:
        raise RuntimeError("the campaigns are down")


async def test_a_failing_listener_never_fails_the_outage_change(
    engine: AsyncEngine, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await town(engine)
    outages = OutageService(SqlOutageStore(engine), clock, "Asia/Shanghai", Broken())
    new = NewOutage(OutageKind.FAULT, "文三路", "故障", NOW, None, ("F01-001",))
    outage = await outages.create(new, CLI_EDITOR)
    closed = await outages.update(
        outage.id, OutageChanges(status=OutageStatus.RESTORED), CLI_EDITOR
    )
    assert closed.status is OutageStatus.RESTORED
    assert "the restored event was not taken" in caplog.text


class DownCampaigns:
    async def preview(self, target: Any, **_: Any) -> Any:
        raise ConnectionError("the database went away")


async def test_a_failing_policy_is_logged_not_raised(
    engine: AsyncEngine, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await town(engine)
    campaigns = cast(CampaignService, DownCampaigns())
    policy = OutagePolicy.on(engine, campaigns, OutagePolicySettings(), clock)
    outages = OutageService(SqlOutageStore(engine), clock, "Asia/Shanghai", policy)
    new = NewOutage(OutageKind.FAULT, "文三路", "故障", NOW, None, ("F01-001",))
    outage = await outages.create(new, CLI_EDITOR)  # returns before the policy works
    await policy.settle()
    assert f"outage {outage.id}: the created policy failed" in caplog.text
    assert (await outages.get(outage.id)).status is OutageStatus.ACTIVE
