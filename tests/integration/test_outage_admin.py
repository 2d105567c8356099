"""Outage administration through the running app (embedded and real stores): operators
declare an outage on a service point or a feeder, the caller's profile and the IVR's outage
look-up show it at once, ETR updates and closing show at once too; nonsense is refused with
stable codes; every change is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callcenter.callflow.ivr import IvrServicesAdapter
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import CALLS, ENGINE, PROFILES, TICKETS
from ivr_flows.commands import Lookup
from ivr_flows.models import LookupKind
from tests.conftest import NOW
from tests.factories import AccountSpec, Created, add_customer
from tests.integration.admin_helpers import Client, app_client, send, staff

ACCOUNT = "3300000042"
PROFILE = f"/api/customers/lookup?account={ACCOUNT}"


client = app_client


@pytest.fixture
async def operator(client: Client) -> tuple[int, dict[str, str]]:
    return await staff(client, Role.OPERATOR)


@pytest.fixture
async def customer(client: Client) -> Created:
    spec = AccountSpec(ACCOUNT, ["+8613900139000"], feeder="F09-009")
    return await add_customer(client.app[ENGINE], "李娜", [spec])


def outage_body(service_point: int, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "fault",
        "area": "文三路100号1幢",
        "cause": "表箱烧毁",
        "start_at": (NOW - timedelta(minutes=30)).isoformat(),
        "estimated_restoration_at": (NOW + timedelta(hours=2)).isoformat(),
        "service_points": [service_point],
    } | changes


async def heard(client: Client) -> tuple[str, dict[str, Any]]:
    """What the IVR's outage look-up finds for the account."""
    ivr = IvrServicesAdapter(
        client.app[PROFILES], client.app[TICKETS], client.app[CALLS], "Asia/Shanghai"
    )
    answer = await ivr.lookup("01CALL", Lookup(LookupKind.OUTAGE, account_no=ACCOUNT))
    return answer.status.value, dict(answer.values)


async def profile_outages(client: Client, auth: dict[str, str]) -> list[dict[str, Any]]:
    _, body = await send(client, "GET", PROFILE, auth)
    return list(body["customers"][0]["accounts"][0]["outages"])


async def test_an_outage_on_a_service_point_is_heard_at_once_then_updated_and_closed(
    client: Client, operator: tuple[int, dict[str, str]], customer: Created, clock: ManualClock
) -> None:
    auth = operator[1]
    assert (await heard(client))[0] == "not_found"
    status, outage = await send(
        client, "POST", "/api/outages", auth, outage_body(customer.service_point_ids[0])
    )
    assert (status, outage["status"], outage["feeders"]) == (201, "active", [])
    (shown,) = await profile_outages(client, auth)
    assert (shown["id"], shown["cause"]) == (outage["id"], "表箱烧毁")
    result, values = await heard(client)
    assert (result, values["outage_area"]) == ("found", "文三路100号1幢")
    assert values["outage_restore"] == "2026-03-10T12:00:00+08:00"
    path = f"/api/outages/{outage['id']}"
    etr = {"estimated_restoration_at": "2026-03-10T15:30"}  # naive: local time
    status, updated = await send(client, "PATCH", path, auth, etr)
    assert (status, updated["estimated_restoration_at"]) == (200, "2026-03-10T07:30:00Z")
    assert (await heard(client))[1]["outage_restore"] == "2026-03-10T15:30:00+08:00"
    clock.advance(timedelta(hours=1))
    status, closed = await send(client, "PATCH", path, auth, {"status": "restored"})
    assert (status, closed["status"]) == (200, "restored")
    assert closed["restored_at"] == "2026-03-10T03:00:00Z"
    assert await profile_outages(client, auth) == []
    assert (await heard(client))[0] == "not_found"
    status, error = await send(client, "PATCH", path, auth, {"cause": "again"})
    assert (status, error["error"]["code"]) == (409, "outage-closed")
    entries = await SqlAuditLog(client.app[ENGINE]).entries("outage", str(outage["id"]))
    assert [e.action for e in entries] == ["create", "update", "restore"]
    assert (entries[0].editor.role, entries[0].editor.user_id) == ("operator", operator[0])
    assert entries[1].data["changed"] == ["estimated_restoration_at"]


async def test_a_planned_outage_on_a_feeder_is_announced_once_it_starts(
    client: Client, operator: tuple[int, dict[str, str]], customer: Created, clock: ManualClock
) -> None:
    start = NOW + timedelta(hours=1)
    body = outage_body(
        0,
        kind="planned",
        service_points=[],
        feeders=["F09-009"],
        start_at=start.isoformat(),
        estimated_restoration_at=(start + timedelta(hours=4)).isoformat(),
    )
    status, outage = await send(client, "POST", "/api/outages", operator[1], body)
    assert (status, outage["status"]) == (201, "scheduled")
    assert [o["status"] for o in await profile_outages(client, operator[1])] == ["scheduled"]
    assert (await heard(client))[0] == "not_found"
    clock.advance(timedelta(hours=2))
    assert [o["status"] for o in await profile_outages(client, operator[1])] == ["active"]
    assert (await heard(client))[0] == "found"
    _, listed = await send(client, "GET", "/api/outages?status=open", operator[1])
    assert [o["id"] for o in listed["outages"]] == [outage["id"]]
    _, none = await send(client, "GET", "/api/outages?status=restored", operator[1])
    assert none["outages"] == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"estimated_restoration_at": "2026-03-10T01:00:00Z"}, "etr-before-start"),
        ({"service_points": [], "feeders": ["F99-999"]}, "no-such-feeder"),
        ({"service_points": [987654]}, "no-such-service-point"),
        ({"area": "   "}, "empty-area"),
        ({"service_points": []}, "no-outage-scope"),
        ({"kind": "storm"}, "invalid-body"),
        ({"start_at": "yesterday"}, "invalid-body"),
    ],
)
async def test_nonsense_outages_are_refused(
    client: Client,
    operator: tuple[int, dict[str, str]],
    customer: Created,
    changes: dict[str, Any],
    code: str,
) -> None:
    body = outage_body(customer.service_point_ids[0], **changes)
    status, error = await send(client, "POST", "/api/outages", operator[1], body)
    assert (status, error["error"]["code"]) == (400, code)
    assert (await send(client, "GET", "/api/outages", operator[1]))[1]["outages"] == []


async def test_who_may_manage_outages(client: Client, customer: Created) -> None:
    body = outage_body(customer.service_point_ids[0])
    _, supervisor = await staff(client, Role.SUPERVISOR)
    _, admin = await staff(client, Role.ADMIN)
    _, agent = await staff(client, Role.AGENT)
    assert (await send(client, "POST", "/api/outages", supervisor, body))[0] == 403
    assert (await send(client, "GET", "/api/outages", supervisor))[0] == 200
    assert (await send(client, "GET", "/api/outages", agent))[0] == 403
    status, outage = await send(client, "POST", "/api/outages", admin, body)
    assert status == 201
    cancel = {"status": "cancelled"}
    status, cancelled = await send(client, "PATCH", f"/api/outages/{outage['id']}", admin, cancel)
    assert (status, cancelled["status"], cancelled["restored_at"]) == (200, "cancelled", None)
    status, error = await send(client, "GET", "/api/outages/999999", admin)
    assert (status, error["error"]["code"]) == (404, "no-such-outage")
