"""回访 through the app on both stores: a resolved fault or complaint awaits its callback and
cannot close without it (409), the agent task lists it, a satisfied callback closes it, an
unsatisfied one reopens and escalates it, unreachable ones are counted up to the pack's
figure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from tests.integration.tickets_helpers import (
    Client,
    Json,
    MakeClient,
    headers,
    new_call,
    post,
    ticket_client,
)

Auth = dict[str, str]


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    return await ticket_client(aiohttp_client, stores, clock)


async def patch(client: Client, ticket_id: int, body: Json, auth: Auth) -> Json:
    resp = await client.patch(f"/api/tickets/{ticket_id}", json=body, headers=auth)
    assert resp.status == 200, await resp.text()
    result: Json = await resp.json()
    return result


async def get(client: Client, path: str, auth: Auth, status: int = 200) -> Json:
    resp = await client.get(path, headers=auth)
    assert resp.status == status, await resp.text()
    result: Json = await resp.json()
    return result


async def resolved_complaint(client: Client, auth: Auth) -> Json:
    created = await post(
        client, "/api/tickets", {"type": "complaint", "summary": "态度差"}, auth, 201
    )
    for status in ("accepted", "in_progress"):
        await patch(client, created["id"], {"status": status}, auth)
    return await patch(client, created["id"], {"status": "resolved", "note": "已道歉"}, auth)


async def restored_fault(client: Client, clock: ManualClock, auth: Auth) -> Json:
    body = {"type": "fault_repair", "summary": "没电", "service_point_id": 3}
    tid = (await post(client, "/api/tickets", body, auth, 201))["id"]
    done: Json = {}
    for name in ("accepted", "dispatched", "departed", "arrived", "restored"):
        clock.advance(timedelta(minutes=10))
        done = await post(client, f"/api/tickets/{tid}/milestones", {"milestone": name}, auth, 201)
    return done


def callback_path(ticket: Json) -> str:
    return f"/api/tickets/{ticket['id']}/callbacks"


async def test_a_resolved_complaint_awaits_its_callback_and_cannot_close(client: Client) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    ticket = await resolved_complaint(client, auth)
    assert ticket["status"] == "awaiting_callback"
    assert ticket["events"][-1]["data"] == {
        "from": "in_progress",
        "to": "awaiting_callback",
        "note": "已道歉",
        "callback_due": True,
    }
    refused = await post(
        client, f"/api/tickets/{ticket['id']}/close", {"resolution": "x"}, auth, 409
    )
    assert refused["error"]["code"] == "callback-required"
    read = await get(client, f"/api/tickets/{ticket['id']}", auth)
    assert read["status"] == "awaiting_callback" and len(read["events"]) == len(ticket["events"])


async def test_a_restored_fault_cannot_close_before_its_callback(
    client: Client, clock: ManualClock
) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    fault = await restored_fault(client, clock, auth)
    assert (fault["status"], fault["milestone"]) == ("awaiting_callback", "restored")
    refused = await post(
        client, f"/api/tickets/{fault['id']}/close", {"resolution": "x"}, auth, 409
    )
    assert refused["error"]["code"] == "callback-required"


async def test_a_satisfied_callback_closes_the_ticket(client: Client, clock: ManualClock) -> None:
    auth = await headers(client, Role.SUPERVISOR)
    fault = await restored_fault(client, clock, auth)
    agent = await headers(client, Role.AGENT)
    call_id = await new_call(client, "CA-callback-1")
    body = {"outcome": "satisfied", "score": 5, "note": "很满意", "call_id": call_id}
    closed = await post(client, callback_path(fault), body, agent, 201)
    assert (closed["status"], closed["milestone"]) == ("closed", "closed")
    assert closed["resolution"] == "customer satisfied on callback (score 5/5)"
    callback, closing = closed["events"][-2:]
    assert (callback["type"], closing["type"]) == ("callback", "closed")
    assert callback["data"] == {
        "outcome": "satisfied", "score": 5, "note": "很满意", "call_id": call_id, "via": "agent",
    }  # fmt: skip
    assert callback["actor_role"] == "agent" and call_id in closed["call_ids"]


async def test_a_satisfied_callback_closes_with_the_resolution_given(client: Client) -> None:
    auth = await headers(client)
    ticket = await resolved_complaint(client, auth)
    body = {"outcome": "satisfied", "score": 3, "resolution": "已向客户道歉并整改"}
    closed = await post(client, callback_path(ticket), body, auth, 201)
    assert (closed["status"], closed["resolution"]) == ("closed", "已向客户道歉并整改")


async def test_an_unsatisfied_callback_reopens_and_escalates(
    client: Client, clock: ManualClock
) -> None:
    auth = await headers(client)
    fault = await restored_fault(client, clock, auth)
    body = {"outcome": "unsatisfied", "score": 1, "note": "又停电了"}
    after = await post(client, callback_path(fault), body, auth, 201)
    assert (after["status"], after["escalation_level"]) == ("reopened", 1)
    assert after["milestone"] == "accepted"  # the run restarts after acceptance
    callback, reopened, escalated = after["events"][-3:]
    assert callback["type"] == "callback" and callback["data"]["outcome"] == "unsatisfied"
    assert reopened["type"] == "status" and reopened["data"] == {
        "from": "awaiting_callback",
        "to": "reopened",
        "note": "unsatisfied on callback (score 1/5): 又停电了",
    }
    assert escalated["type"] == "escalated"
    assert escalated["data"] == {"from": 0, "to": 1, "reason": "unsatisfied_callback"}
    # resolved again, it waits for a new callback: the earlier ones no longer count
    for name in ("dispatched", "departed", "arrived", "restored"):
        await post(client, f"/api/tickets/{fault['id']}/milestones", {"milestone": name}, auth, 201)
    again = await post(client, f"/api/tickets/{fault['id']}/close", {"resolution": "x"}, auth, 409)
    assert again["error"]["code"] == "callback-required"
    second = await post(
        client, callback_path(fault), {"outcome": "unsatisfied", "score": 2}, auth, 201
    )
    assert second["escalation_level"] == 2


async def test_unreachable_callbacks_are_counted_up_to_the_pack_figure(
    client: Client, clock: ManualClock
) -> None:
    auth = await headers(client)
    ticket = await resolved_complaint(client, auth)
    for tries in (1, 2, 3):
        clock.advance(timedelta(hours=2))
        if tries == 3:
            refused = await post(
                client, f"/api/tickets/{ticket['id']}/close", {"resolution": "x"}, auth, 409
            )
            assert refused["error"]["code"] == "callback-required"
        after = await post(client, callback_path(ticket), {"outcome": "unreachable"}, auth, 201)
        assert after["status"] == "awaiting_callback"
        due = await get(client, "/api/tickets/callbacks/due", auth)
        assert [(t["id"], t["unreachable_callbacks"], t["may_close"]) for t in due["items"]] == [
            (ticket["id"], tries, tries == 3)
        ]
    body = {"resolution": "callback unreachable"}
    closed = await post(client, f"/api/tickets/{ticket['id']}/close", body, auth, 201)
    assert closed["status"] == "closed"


async def test_the_callback_task_lists_waiting_tickets_longest_unchanged_first(
    client: Client, clock: ManualClock
) -> None:
    auth = await headers(client)
    first = await resolved_complaint(client, auth)
    clock.advance(timedelta(hours=1))
    second = await restored_fault(client, clock, auth)
    clock.advance(timedelta(hours=1))
    await resolved_complaint(client, auth)
    clock.advance(timedelta(hours=1))
    consultation = await post(
        client, "/api/tickets", {"type": "consultation", "summary": "电价"}, auth, 201
    )
    await patch(client, consultation["id"], {"status": "resolved"}, auth)
    due = await get(client, "/api/tickets/callbacks/due?limit=2", auth)
    assert (due["total"], due["limit"], due["offset"]) == (3, 2, 0)
    assert [t["id"] for t in due["items"]] == [first["id"], second["id"]]
    assert due["items"][0]["status"] == "awaiting_callback"
    # a ticket just tried goes to the back of the task
    clock.advance(timedelta(hours=1))
    await post(client, callback_path(first), {"outcome": "unreachable"}, auth, 201)
    later = await get(client, "/api/tickets/callbacks/due?offset=2", auth)
    assert [t["id"] for t in later["items"]] == [first["id"]]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"outcome": "satisfied"}, 400, "invalid-body"),
        ({"outcome": "unsatisfied", "score": 6}, 400, "invalid-body"),
        ({"outcome": "maybe", "score": 3}, 400, "invalid-body"),
        ({"outcome": "unreachable", "extra": 1}, 400, "invalid-body"),
        ({"outcome": "unreachable", "call_id": "0" * 26}, 404, "no-such-call"),
    ],
)
async def test_bad_callbacks_are_refused_and_store_nothing(
    client: Client, body: Json, status: int, code: str
) -> None:
    auth = await headers(client)
    ticket = await resolved_complaint(client, auth)
    refused = await post(client, callback_path(ticket), body, auth, status)
    assert refused["error"]["code"] == code
    read = await get(client, f"/api/tickets/{ticket['id']}", auth)
    assert [e["type"] for e in read["events"]][-1] == "status"


@pytest.mark.parametrize(
    ("type", "moves"),
    [("complaint", ["accepted"]), ("consultation", ["resolved"]), ("praise", [])],
)
async def test_a_callback_is_due_only_after_a_resolution_that_needs_one(
    client: Client, type: str, moves: list[str]
) -> None:
    auth = await headers(client)
    ticket = await post(client, "/api/tickets", {"type": type, "summary": "x"}, auth, 201)
    for status in moves:
        await patch(client, ticket["id"], {"status": status}, auth)
    refused = await post(client, callback_path(ticket), {"outcome": "unreachable"}, auth, 409)
    assert refused["error"]["code"] == "callback-not-due"


async def test_tickets_without_a_callback_rule_close_as_before(client: Client) -> None:
    auth = await headers(client)
    ticket = await post(
        client, "/api/tickets", {"type": "service_request", "summary": "x"}, auth, 201
    )
    resolved = await patch(client, ticket["id"], {"status": "resolved"}, auth)
    assert resolved["status"] == "resolved"
    closed = await post(
        client, f"/api/tickets/{ticket['id']}/close", {"resolution": "y"}, auth, 201
    )
    assert closed["status"] == "closed"


async def test_callback_routes_need_a_token(client: Client) -> None:
    assert (await client.get("/api/tickets/callbacks/due")).status == 401
    assert (await client.post("/api/tickets/1/callbacks", json={})).status == 401
