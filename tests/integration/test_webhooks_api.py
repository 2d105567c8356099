"""The webhook API through the app: subscriptions (admins only), clear 400s, the delivery
log and redelivery, and the events the use cases publish (a ticket opened, a call ended)."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.calls.models import Direction
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENDING
from tests.integration.admin_helpers import Client, make_app, send, staff

HOOK = "https://receiver.example.com/hooks"
NO_WORKER = {"CALLCENTER_WEBHOOKS__RUN_WORKER": "false"}
PHONE = "+8613800138000"


@pytest.fixture
async def client(aiohttp_client: Any, stores: tuple[str, str], clock: ManualClock) -> Client:
    made: Client = await aiohttp_client(make_app(stores, clock, **NO_WORKER))
    return made


@pytest.fixture
async def admin(client: Client) -> dict[str, str]:
    return (await staff(client, Role.ADMIN))[1]


async def test_subscribe_list_change_and_delete(client: Client, admin: dict[str, str]) -> None:
    status, made = await send(
        client, "POST", "/api/webhooks", admin, {"url": HOOK, "events": ["ticket.created"]}
    )
    assert status == 201
    assert made["secret"].startswith("whsec_")
    assert (made["url"], made["events"], made["active"]) == (HOOK, ["ticket.created"], True)
    path = f"/api/webhooks/{made['id']}"

    status, listed = await send(client, "GET", "/api/webhooks", admin)
    assert (status, [w["id"] for w in listed["webhooks"]]) == (200, [made["id"]])
    assert "secret" not in listed["webhooks"][0]  # shown once only

    change = {"events": ["call.ended", "ticket.breached"], "active": False}
    status, changed = await send(client, "PATCH", path, admin, change)
    assert (status, changed["events"], changed["active"]) == (200, change["events"], False)
    assert "secret" not in changed

    resp = await client.delete(path, headers=admin)
    assert resp.status == 204
    status, gone = await send(client, "GET", path, admin)
    assert (status, gone["error"]["code"]) == (404, "no-such-webhook")


W = "/api/webhooks"
ENDED = ["call.ended"]
REDELIVER = "/api/webhooks/deliveries/{}/redeliver"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", W, {"url": "ftp://x.example/h", "events": ENDED}, 400, "invalid-webhook-url"),
        ("POST", W, {"url": HOOK, "events": ["call.started"]}, 400, "unknown-event-type"),
        ("POST", W, {"url": HOOK, "events": []}, 400, "no-event-types"),
        ("POST", W, {"url": HOOK, "events": ENDED, "secret": "s"}, 400, "invalid-webhook-secret"),
        ("POST", W, {"url": HOOK, "events": ENDED, "colour": "red"}, 400, "invalid-body"),
        ("POST", W, {"events": ENDED}, 400, "invalid-body"),
        ("PATCH", W + "/1", {"url": "mailto:a@b.c"}, 400, "invalid-webhook-url"),
        ("PATCH", W + "/999", {"active": False}, 404, "no-such-webhook"),
        ("DELETE", W + "/999", None, 404, "no-such-webhook"),
        ("GET", W + "/abc", None, 400, "invalid-id"),
        ("GET", W + "/999/deliveries", None, 404, "no-such-webhook"),
        ("GET", W + "/1/deliveries?status=lost", None, 400, "invalid-query"),
        ("POST", REDELIVER.format("nope"), None, 400, "invalid-id"),
        ("POST", REDELIVER.format("01kkaqhx805t6rrzdmyn0341yv"), None, 404, "no-such-delivery"),
    ],
)  # fmt: skip
async def test_bad_requests_get_clear_errors(
    client: Client,
    admin: dict[str, str],
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    await send(client, "POST", "/api/webhooks", admin, {"url": HOOK, "events": ["call.ended"]})
    got, answer = await send(client, method, path, admin, body)
    assert (got, answer["error"]["code"]) == (status, code)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.OPERATOR])
async def test_only_admins_manage_webhooks(client: Client, role: Role) -> None:
    _, auth = await staff(client, role)
    status, answer = await send(client, "GET", "/api/webhooks", auth)
    assert (status, answer["error"]["code"]) == (403, "forbidden")


async def test_use_cases_publish_to_subscribers_and_deliveries_can_be_redelivered(
    client: Client, admin: dict[str, str]
) -> None:
    events = ["ticket.created", "call.ended"]
    _, hook = await send(client, "POST", "/api/webhooks", admin, {"url": HOOK, "events": events})
    _, other = await send(
        client, "POST", "/api/webhooks", admin, {"url": HOOK, "events": ["campaign.finished"]}
    )
    ticket = {"type": "consultation", "summary": "电费咨询"}
    status, opened = await send(client, "POST", "/api/tickets", admin, ticket)
    assert status == 201
    call = await client.app[CALLS].start(Direction.INBOUND, PHONE, "95598")
    await client.app[ENDING].ended(call.id, "caller")

    status, listed = await send(client, "GET", f"/api/webhooks/{hook['id']}/deliveries", admin)
    assert status == 200
    found = {d["event_type"]: d for d in listed["deliveries"]}
    assert set(found) == {"ticket.created", "call.ended"}
    assert {d["status"] for d in found.values()} == {"pending"}
    _, none = await send(client, "GET", f"/api/webhooks/{other['id']}/deliveries", admin)
    assert none["deliveries"] == []

    path = f"/api/webhooks/deliveries/{found['ticket.created']['id']}/redeliver"
    status, again = await send(client, "POST", path, admin)
    assert (status, again["status"], again["attempts"]) == (202, "pending", 0)
    assert opened["number"]  # the ticket itself was stored before its event


async def test_every_ticket_change_is_published(client: Client, admin: dict[str, str]) -> None:
    _, hook = await send(
        client, "POST", "/api/webhooks", admin, {"url": HOOK, "events": ["ticket.changed"]}
    )
    ticket = {"type": "complaint", "summary": "抄表不准"}
    _, opened = await send(client, "POST", "/api/tickets", admin, ticket)
    path = f"/api/tickets/{opened['id']}"
    assert (await send(client, "PATCH", path, admin, {"status": "accepted"}))[0] == 200
    assert (await send(client, "POST", path + "/comments", admin, {"text": "已联系"}))[0] == 201

    _, listed = await send(client, "GET", f"/api/webhooks/{hook['id']}/deliveries", admin)
    assert [d["event_type"] for d in listed["deliveries"]] == ["ticket.changed"] * 2
