"""Outage-event policies in the running app: the operator's outage is answered at once
(201) while the notice campaign starts behind it, and a notice the lead-time rule refuses
is recorded (audit entity `outage-policy`) without touching the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ENGINE, OUTBOUND
from outbound.models import CampaignType, TargetQuery, TargetQueryKind
from tests.conftest import NOW
from tests.factories import AccountSpec, add_customer
from tests.integration.admin_helpers import Client, eventually, make_app, send, staff


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    """The app on the stores, without the dialer loop (campaigns only start here)."""
    client = await aiohttp_client(make_app(stores, clock, CALLCENTER_OUTBOUND__RUN_DIALER="false"))
    await add_customer(client.app[ENGINE], "张三", [AccountSpec("3300000001", ["+8613800000001"])])
    return client


def body(kind: str, start_in: timedelta) -> dict[str, object]:
    start = NOW + start_in
    return {
        "kind": kind,
        "area": "文三路沿线",
        "cause": "线路检修",
        "start_at": start.isoformat(),
        "estimated_restoration_at": (start + timedelta(hours=4)).isoformat(),
        "feeders": ["F01-001"],
    }


async def test_a_declared_outage_is_answered_and_its_notice_starts(client: Client) -> None:
    _, auth = await staff(client, Role.OPERATOR)
    status, outage = await send(client, "POST", "/api/outages", auth, body("fault", timedelta()))
    assert status == 201
    campaigns = client.app[OUTBOUND].stores.campaigns
    query = TargetQuery(TargetQueryKind.OUTAGE, str(outage["id"]))

    async def started() -> bool:
        found = await campaigns.list_campaigns()
        return any(
            r.campaign.type is CampaignType.OUTAGE_NOTICE and r.campaign.query == query
            for r in found
        )

    assert await eventually(started)


async def test_a_notice_too_late_is_recorded_and_the_outage_answered(client: Client) -> None:
    _, auth = await staff(client, Role.OPERATOR)
    planned = body("planned", timedelta(days=2))  # 7 days' notice needed
    status, outage = await send(client, "POST", "/api/outages", auth, planned)
    assert (status, outage.get("status")) == (201, "scheduled"), outage
    audit = SqlAuditLog(client.app[ENGINE])

    async def recorded() -> bool:
        entries = await audit.entries("outage-policy", str(outage["id"]))
        return [(e.action, e.data.get("code")) for e in entries] == [
            ("notice-refused", "notice-too-late")
        ]

    assert await eventually(recorded)
    assert await client.app[OUTBOUND].stores.campaigns.list_campaigns() == []
