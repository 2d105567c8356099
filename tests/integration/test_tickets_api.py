"""The ticket API through the app on both stores: list filters, order and pages, each change
with its event and actor, the error codes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from tests.conftest import NOW
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


async def patch(client: Client, ticket_id: int, body: Json, auth: dict[str, str]) -> Json:
    resp = await client.patch(f"/api/tickets/{ticket_id}", json=body, headers=auth)
    result: Json = await resp.json()
    return {"http": resp.status} | result


async def listing(client: Client, query: str, auth: dict[str, str]) -> Json:
    resp = await client.get(f"/api/tickets?{query}", headers=auth)
    assert resp.status == 200, await resp.text()
    result: Json = await resp.json()
    return result


SEED: list[Json] = [
    {"type": "complaint", "summary": "服务态度差", "customer_id": 1, "area": "西湖区"},
    {"type": "consultation", "summary": "电价咨询", "customer_id": 2, "area": "上城区"},
    {"type": "fault_repair", "summary": "家里没电", "service_point_id": 7, "area": "西湖区"},
    {"type": "praise", "summary": "表扬抄表员", "customer_id": 1, "account_id": 11},
    {"type": "report", "summary": "窃电举报 100%", "area": "上城区"},
]


@pytest.fixture
async def seeded(client: Client, clock: ManualClock) -> dict[str, int]:
    """Five tickets an hour apart; the consultation is assigned, the complaint commented,
    the praise closed; then a day and a half later (the complaint's contact and the fault's
    crew are overdue, not the consultation's working day)."""
    auth = await headers(client, Role.SUPERVISOR)
    ids = {}
    for body in SEED:
        ids[body["type"]] = (await post(client, "/api/tickets", body, auth, 201))["id"]
        clock.advance(timedelta(hours=1))
    await patch(client, ids["consultation"], {"assignee_user_id": 5, "assignee_team": "b"}, auth)
    await post(
        client, f"/api/tickets/{ids['complaint']}/comments", {"text": "客户要求回电"}, auth, 201
    )
    await post(client, f"/api/tickets/{ids['praise']}/close", {"resolution": "已转达"}, auth, 201)
    clock.advance(timedelta(hours=30))
    return ids


FILTERS = [
    ("type=complaint", {"complaint"}),
    ("status=closed", {"praise"}),
    ("status=open,closed&customer_id=1", {"complaint", "praise"}),
    ("customer_id=2", {"consultation"}),
    ("account_id=11", {"praise"}),
    ("area=上城区", {"consultation", "report"}),
    ("assignee_user_id=5", {"consultation"}),
    ("assignee_team=b", {"consultation"}),
    ("overdue=true", {"complaint", "fault_repair"}),  # contact in 24 h, a crew in 90 min
    ("overdue=false&area=上城区", {"consultation", "report"}),  # 1 and 9 working days
    ("text=电价", {"consultation"}),
    ("text=回电", {"complaint"}),  # in a comment
    ("text=100%25", {"report"}),  # a literal %, not a wildcard
    ("text=%25%25%25", set()),
    (
        f"created_from={(NOW + timedelta(hours=2)).isoformat().replace('+', '%2B')}",
        {"fault_repair", "praise", "report"},
    ),
    (f"created_to={(NOW + timedelta(hours=1)).isoformat().replace('+', '%2B')}", {"complaint"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
async def test_list_filters(
    client: Client, seeded: dict[str, int], query: str, expected: set[str]
) -> None:
    page = await listing(client, query, await headers(client))
    assert {item["type"] for item in page["items"]} == expected
    assert page["total"] == len(expected)


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("", ["fault_repair", "complaint", "consultation", "report", "praise"]),
        ("sort=created_at", ["complaint", "consultation", "fault_repair", "praise", "report"]),
        ("sort=-created_at", ["report", "praise", "fault_repair", "consultation", "complaint"]),
        ("sort=due_at", ["fault_repair", "complaint", "consultation", "report", "praise"]),
        ("sort=created_at&limit=2&offset=1", ["consultation", "fault_repair"]),
    ],
)
async def test_list_order_and_pages(
    client: Client, seeded: dict[str, int], query: str, order: list[str]
) -> None:
    page = await listing(client, query, await headers(client))
    assert [item["type"] for item in page["items"]] == order
    assert page["total"] == 5


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("", ["complaint", "fault_repair", "consultation", "report", "praise"]),  # late first
        ("sort=due_at", ["fault_repair", "complaint", "consultation", "report", "praise"]),
    ],
)
async def test_overdue_open_tickets_come_first(
    client: Client, seeded: dict[str, int], query: str, order: list[str]
) -> None:
    auth = await headers(client)
    await patch(client, seeded["fault_repair"], {"status": "cancelled"}, auth)  # its clock stops
    page = await listing(client, query, auth)
    assert [item["type"] for item in page["items"]] == order


async def test_overdue_is_shown_per_ticket(client: Client, seeded: dict[str, int]) -> None:
    page = await listing(client, "sort=created_at", await headers(client))
    assert [item["overdue"] for item in page["items"]] == [True, False, True, False, False]


async def test_status_changes_are_events_with_their_actor(client: Client) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    body = {"type": "service_request", "summary": "x"}  # 回访: a complaint awaits its callback
    created = await post(client, "/api/tickets", body, auth, 201)
    for status in ("accepted", "in_progress", "awaiting_customer", "in_progress", "resolved"):
        changed = await patch(client, created["id"], {"status": status, "note": "ok"}, auth)
        assert changed["http"] == 200 and changed["updated_at"] is not None
    read = await (await client.get(f"/api/tickets/{created['id']}", headers=auth)).json()
    assert read["status"] == "resolved"
    last = read["events"][-1]
    assert last["type"] == "status" and last["data"] == {
        "from": "in_progress",
        "to": "resolved",
        "note": "ok",
    }
    assert last["actor_role"] == "supervisor" and last["actor_user_id"] is not None
    assert [e["type"] for e in read["events"]] == ["created"] + ["status"] * 5


@pytest.mark.parametrize(
    ("type", "moves", "code"),
    [
        ("complaint", ["closed"], "resolution-required"),
        ("complaint", ["awaiting_callback"], "invalid-ticket-transition"),
        ("praise", ["in_progress"], "invalid-ticket-transition"),
        ("fault_repair", ["dispatched"], "invalid-ticket-transition"),
        ("report", ["cancelled", "reopened"], "invalid-ticket-transition"),
    ],
)
async def test_invalid_moves_are_refused(
    client: Client, type: str, moves: list[str], code: str
) -> None:
    auth = await headers(client)
    created = await post(client, "/api/tickets", {"type": type, "summary": "x"}, auth, 201)
    results = [await patch(client, created["id"], {"status": s}, auth) for s in moves]
    assert results[-1]["error"]["code"] == code
    assert results[-1]["http"] in (400, 409)


async def test_assign_to_a_person_then_a_team_then_nobody(client: Client) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    tid = (await post(client, "/api/tickets", {"type": "report", "summary": "x"}, auth, 201))["id"]
    steps: list[tuple[Json, tuple[int | None, str | None]]] = [
        ({"assignee_user_id": 9}, (9, None)),
        ({"assignee_team": "抢修一班"}, (9, "抢修一班")),
        ({"assignee_user_id": None, "assignee_team": None}, (None, None)),
    ]
    for body, expected in steps:
        changed = await patch(client, tid, body, auth)
        assert (changed["assignee_user_id"], changed["assignee_team"]) == expected
    events = [e for e in changed["events"] if e["type"] == "assigned"]
    assert events[1]["data"] == {
        "from": {"user_id": 9, "team": None},
        "to": {"user_id": 9, "team": "抢修一班"},
    }


async def test_link_a_call_once(client: Client) -> None:
    auth = await headers(client)
    tid = (await post(client, "/api/tickets", {"type": "report", "summary": "x"}, auth, 201))["id"]
    call_id = await new_call(client, "CA1")
    for _ in range(2):
        linked = await post(client, f"/api/tickets/{tid}/calls", {"call_id": call_id}, auth, 201)
    assert linked["call_ids"] == [call_id]
    assert [e["type"] for e in linked["events"]] == ["created", "call_linked"]
    missing = await post(client, f"/api/tickets/{tid}/calls", {"call_id": "0" * 26}, auth, 404)
    assert missing["error"]["code"] == "no-such-call"


async def test_close_with_a_resolution_then_reopen(client: Client) -> None:
    auth = await headers(client)
    tid = (await post(client, "/api/tickets", {"type": "consultation", "summary": "x"}, auth, 201))[
        "id"
    ]
    closed = await post(client, f"/api/tickets/{tid}/close", {"resolution": "已解答"}, auth, 201)
    assert closed["status"] == "closed" and closed["resolution"] == "已解答"
    assert closed["closed_at"] is not None
    again = await post(client, f"/api/tickets/{tid}/close", {"resolution": "y"}, auth, 409)
    assert again["error"]["code"] == "invalid-ticket-transition"
    reopened = await patch(client, tid, {"status": "reopened"}, auth)
    assert (reopened["status"], reopened["closed_at"], reopened["resolution"]) == (
        "reopened",
        None,
        None,
    )


async def test_fault_milestones_in_order_with_deadlines(client: Client, clock: ManualClock) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    body = {"type": "fault_repair", "summary": "没电", "service_point_id": 3, "area_class": "urban"}
    tid = (await post(client, "/api/tickets", body, auth, 201))["id"]
    path = f"/api/tickets/{tid}/milestones"
    statuses = []
    for name, minutes in [
        ("accepted", 5),
        ("dispatched", 10),
        ("departed", 15),
        ("arrived", 60),
        ("restored", 90),
    ]:
        clock.set(NOW + timedelta(minutes=minutes))
        done = await post(client, path, {"milestone": name}, auth, 201)
        statuses.append(done["status"])
    # 回访: restored, a fault awaits its satisfaction callback, which closes it
    assert statuses == ["accepted", "dispatched", "dispatched", "in_progress", "awaiting_callback"]
    by_name = {m["milestone"]: m for m in done["milestones"]}
    assert set(by_name) == {"arrived", "restored"}  # the pack's two fault deadlines
    assert by_name["arrived"]["at"] is not None
    late = [e["data"]["late"] for e in done["events"] if e["type"] == "milestone"]
    assert late == [False, False, False, True, False]  # arrived after 45 min (urban)
    assert datetime.fromisoformat(done["due_at"]) == NOW + timedelta(minutes=60 + 180)
    callback = {"outcome": "satisfied", "score": 5, "resolution": "更换熔丝"}
    closed = await post(client, f"/api/tickets/{tid}/callbacks", callback, auth, 201)
    assert closed["milestone"] == "closed" and closed["status"] == "closed"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"milestone": "dispatched"}, 409, "invalid-milestone"),
        ({"milestone": "closed"}, 400, "resolution-required"),
        (
            {"milestone": "accepted", "at": "2026-03-11T00:00:00+00:00"},
            400,
            "invalid-milestone-time",
        ),
        (
            {"milestone": "accepted", "at": "2026-03-09T00:00:00+00:00"},
            400,
            "invalid-milestone-time",
        ),
        ({"milestone": "accepted", "at": "2026-03-10T02:00:00"}, 400, "invalid-body"),
        ({"milestone": "landed"}, 400, "invalid-body"),
    ],
)
async def test_milestone_errors(client: Client, body: Json, status: int, code: str) -> None:
    auth = await headers(client)
    fault = {"type": "fault_repair", "summary": "没电"}
    tid = (await post(client, "/api/tickets", fault, auth, 201))["id"]
    refused = await post(client, f"/api/tickets/{tid}/milestones", body, auth, status)
    assert refused["error"]["code"] == code


async def test_only_fault_tickets_have_milestones(client: Client) -> None:
    auth = await headers(client)
    tid = (await post(client, "/api/tickets", {"type": "complaint", "summary": "x"}, auth, 201))[
        "id"
    ]
    refused = await post(
        client, f"/api/tickets/{tid}/milestones", {"milestone": "accepted"}, auth, 409
    )
    assert refused["error"]["code"] == "invalid-milestone"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/api/tickets?status=lost", None, 400, "invalid-query"),
        ("GET", "/api/tickets?sort=name", None, 400, "invalid-query"),
        ("GET", "/api/tickets?type=fault", None, 400, "invalid-query"),
        ("GET", "/api/tickets?limit=0", None, 400, "invalid-query"),
        ("GET", "/api/tickets?created_from=2026-03-01T00:00:00", None, 400, "invalid-query"),
        ("GET", "/api/tickets?colour=red", None, 400, "invalid-query"),
        ("PATCH", "/api/tickets/999", {"status": "accepted"}, 404, "no-such-ticket"),
        ("PATCH", "/api/tickets/abc", {"status": "accepted"}, 400, "invalid-id"),
        ("PATCH", "/api/tickets/1", {}, 400, "invalid-body"),
        ("PATCH", "/api/tickets/1", {"status": "done"}, 400, "invalid-body"),
        ("POST", "/api/tickets/1/comments", {"text": ""}, 400, "invalid-body"),
        ("POST", "/api/tickets/1/comments", {"text": "   "}, 400, "invalid-comment"),
        ("POST", "/api/tickets/999/comments", {"text": "x"}, 404, "no-such-ticket"),
        ("POST", "/api/tickets/1/calls", {"call_id": "short"}, 400, "invalid-body"),
        ("POST", "/api/tickets/1/close", {}, 400, "invalid-body"),
        ("POST", "/api/tickets/1/close", {"resolution": " "}, 400, "resolution-required"),
    ],
)
async def test_error_codes(
    client: Client, method: str, path: str, body: Json | None, status: int, code: str
) -> None:
    auth = await headers(client)
    await post(client, "/api/tickets", {"type": "report", "summary": "x"}, auth, 201)
    resp = await client.request(method, path, json=body, headers=auth)
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code


async def test_ticket_routes_need_a_token(client: Client) -> None:
    assert (await client.get("/api/tickets")).status == 401
    assert (await client.patch("/api/tickets/1", json={"status": "accepted"})).status == 401


async def test_a_refused_patch_stores_nothing(client: Client) -> None:
    auth = await headers(client)
    tid = (await post(client, "/api/tickets", {"type": "praise", "summary": "x"}, auth, 201))["id"]
    refused = await patch(client, tid, {"assignee_team": "b", "status": "in_progress"}, auth)
    assert (refused["http"], refused["error"]["code"]) == (409, "invalid-ticket-transition")
    read = await (await client.get(f"/api/tickets/{tid}", headers=auth)).json()
    assert read["assignee_team"] is None and [e["type"] for e in read["events"]] == ["created"]


async def test_a_cancelled_ticket_cannot_be_assigned(client: Client) -> None:
    auth = await headers(client)
    tid = (await post(client, "/api/tickets", {"type": "report", "summary": "x"}, auth, 201))["id"]
    await patch(client, tid, {"status": "cancelled"}, auth)
    refused = await patch(client, tid, {"assignee_user_id": 3}, auth)
    assert (refused["http"], refused["error"]["code"]) == (409, "ticket-closed")
