"""`GET /api/tickets/sla-summary` through the app on both stores: open tickets per SLA level,
warned, breached, overdue and escalated, in all and per team; closed tickets left out; only
supervisors and admins; the route is not taken for a ticket id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.tickets.models import Actor
from callcenter.web.keys import TICKETS
from tests.integration.tickets_helpers import (
    Client,
    Json,
    MakeClient,
    headers,
    post,
    ticket_client,
)

SUMMARY = "/api/tickets/sla-summary"
SWEEP = Actor("sla-sweep", "system")
STATES = ("ok", "warn70", "warn80", "warn90", "breached")


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    return await ticket_client(aiohttp_client, stores, clock)


async def summary(client: Client, role: Role = Role.SUPERVISOR) -> Json:
    resp = await client.get(SUMMARY, headers=await headers(client, role))
    assert resp.status == 200, await resp.text()
    result: Json = await resp.json()
    return result


def figures(open: int, overdue: int = 0, escalated: int = 0, **states: int) -> Json:
    by_state = {s: states.get(s, 0) for s in STATES}
    warned = by_state["warn70"] + by_state["warn80"] + by_state["warn90"]
    return {
        "open": open,
        "by_state": by_state,
        "warned": warned,
        "breached": by_state["breached"],
        "overdue": overdue,
        "escalated": escalated,
    }


async def seed(client: Client, clock: ManualClock) -> None:
    """North: a complaint at 80 % (overdue: no contact in 24 h) and a consultation
    (overdue: 1 working day); south: a praise (no deadline); no team: a breached, escalated
    fault (overdue); a closed consultation."""
    auth = await headers(client, Role.SUPERVISOR)
    opened = {}
    bodies: dict[str, Json] = {
        "complaint": {"type": "complaint", "summary": "服务态度差"},
        "consultation": {"type": "consultation", "summary": "电价咨询"},
        "praise": {"type": "praise", "summary": "表扬抄表员"},
        "fault": {"type": "fault_repair", "summary": "家里没电", "service_point_id": 7},
        "closed": {"type": "consultation", "summary": "已解答"},
    }
    for key, body in bodies.items():
        opened[key] = (await post(client, "/api/tickets", body, auth, 201))["id"]
    teams = {"complaint": "north", "consultation": "north", "praise": "south"}
    for key, team in teams.items():
        resp = await client.patch(
            f"/api/tickets/{opened[key]}", json={"assignee_team": team}, headers=auth
        )
        assert resp.status == 200, await resp.text()
    await post(client, f"/api/tickets/{opened['closed']}/close", {"resolution": "好"}, auth, 201)
    service = client.app[TICKETS]
    await service.record(opened["complaint"], "warned", SWEEP, {}, sla_state="warn80")
    await service.record(
        opened["fault"], "breached", SWEEP, {}, sla_state="breached", escalation_level=1
    )
    clock.advance(timedelta(days=2))  # all but the praise are overdue


async def test_open_tickets_are_counted_per_level_team_and_overdue(
    client: Client, clock: ManualClock
) -> None:
    await seed(client, clock)
    body = await summary(client)
    teams = body.pop("teams")
    assert body == {"at": "2026-03-12T02:00:00Z"} | figures(
        4, overdue=3, escalated=1, ok=2, warn80=1, breached=1
    )
    assert teams == [
        {"team": "north"} | figures(2, overdue=2, ok=1, warn80=1),
        {"team": "south"} | figures(1, ok=1),
        {"team": None} | figures(1, overdue=1, escalated=1, breached=1),
    ]


async def test_no_open_ticket_counts_zero_everywhere(client: Client) -> None:
    assert await summary(client, Role.ADMIN) == {"at": "2026-03-10T02:00:00Z", "teams": []} | (
        figures(0)
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.OPERATOR])
async def test_the_summary_is_for_supervisors_and_admins_only(client: Client, role: Role) -> None:
    resp = await client.get(SUMMARY, headers=await headers(client, role))
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "forbidden"
