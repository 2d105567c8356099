"""One open outage report per service point: a repeat fault report attaches to the open
ticket (with its call), through the API and the ticket service the IVR uses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.tickets.models import IVR_ACTOR, NewTicket, TicketChannel, TicketType
from callcenter.web.keys import ENGINE, TICKETS
from tests.factories import AccountSpec, add_customer
from tests.integration.tickets_helpers import (
    Client,
    Json,
    MakeClient,
    headers,
    new_call,
    post,
    ticket_client,
)


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    return await ticket_client(aiohttp_client, stores, clock)


@pytest.fixture
async def auth(client: Client) -> dict[str, str]:
    return await headers(client, Role.AGENT)


@pytest.fixture
async def point(client: Client) -> int:
    created = await add_customer(client.app[ENGINE], "张伟", [AccountSpec("3300000001", [])])
    return created.service_point_ids[0]


async def report(client: Client, auth: dict[str, str], body: Json, status: int) -> Json:
    return await post(client, "/api/tickets", body, auth, status)


async def test_a_repeat_fault_report_attaches_to_the_open_ticket(
    client: Client, auth: dict[str, str], point: int, clock: ManualClock
) -> None:
    first_call, second_call = await new_call(client, "CA1"), await new_call(client, "CA2")
    body = {"type": "fault_repair", "summary": "没电", "service_point_id": point}
    first = await report(client, auth, body | {"call_id": first_call}, 201)
    clock.advance(timedelta(minutes=3))
    again = await report(client, auth, body | {"call_id": second_call, "summary": "还是没电"}, 200)
    assert again["attached"] is True and first["attached"] is False
    assert again["id"] == first["id"] and first["area"] == "西湖区"
    assert again["call_ids"] == [first_call, second_call]
    repeat = again["events"][-1]
    assert repeat["type"] == "repeat_report"
    assert repeat["data"] == {"call_id": second_call, "channel": "api", "summary": "还是没电"}
    listed = await (await client.get("/api/tickets?type=fault_repair", headers=auth)).json()
    assert listed["total"] == 1


@pytest.mark.parametrize(
    "other",
    [
        {"type": "complaint", "summary": "停电太久"},  # not a fault report
        {"type": "fault_repair", "summary": "没电", "service_point_id": 999},  # another address
    ],
)
async def test_other_reports_open_their_own_ticket(
    client: Client, auth: dict[str, str], point: int, other: Json
) -> None:
    body = {"type": "fault_repair", "summary": "没电", "service_point_id": point}
    first = await report(client, auth, body, 201)
    if "service_point_id" not in other:
        other = other | {"service_point_id": point}
    second = await report(client, auth, other, 201)
    assert second["id"] != first["id"] and second["attached"] is False


async def test_after_the_report_is_cancelled_a_new_one_opens(
    client: Client, auth: dict[str, str], point: int
) -> None:
    body = {"type": "fault_repair", "summary": "没电", "service_point_id": point}
    first = await report(client, auth, body, 201)
    resp = await client.patch(
        f"/api/tickets/{first['id']}", json={"status": "cancelled"}, headers=auth
    )
    assert resp.status == 200
    second = await report(client, auth, body, 201)
    assert second["id"] != first["id"]


async def test_the_ivr_reports_through_the_same_use_case(client: Client, point: int) -> None:
    tickets = client.app[TICKETS]
    calls = [await new_call(client, sid) for sid in ("CA1", "CA2")]
    opened = [
        await tickets.report(
            NewTicket(
                TicketType.FAULT_REPAIR,
                "IVR",
                "ivr",
                service_point_id=point,
                call_id=call,
                channel=TicketChannel.IVR,
                actor=IVR_ACTOR,
            )
        )
        for call in calls
    ]
    assert [o.attached for o in opened] == [False, True]
    ticket = opened[1].ticket
    assert ticket.channel is TicketChannel.IVR and set(ticket.call_ids) == set(calls)
    assert (ticket.events[-1].type, ticket.events[-1].actor_role) == ("repeat_report", "ivr")
