"""The arrears procedure and payments through the running app (embedded and real stores):
every step in order with the approval role the customer class needs, each step audited and
in the account's history; blocks and skipped steps refused with their codes; a payment stops
an open sequence, and a payment after the cut opens a reconnection ticket due within 24 h."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import ENGINE
from tests.conftest import NOW
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.admin_helpers import Client, app_client, send, staff

Auth = dict[str, str]
client = app_client
OVERDUE = [BillSpec("2025-12", "100.00", date(2026, 1, 15))]  # 54 days overdue at NOW
CUT = NOW + timedelta(days=4)


async def account(client: Client, number: str, **customer: Any) -> int:
    spec = AccountSpec(number, [f"+86139{number[-8:]}"], bills=customer.pop("bills", OVERDUE))
    created = await add_customer(client.app[ENGINE], "王大", [spec], **customer)
    return created.account_ids[0]


@pytest.fixture
async def people(client: Client) -> dict[Role, Auth]:
    return {role: (await staff(client, role))[1] for role in Role}


async def step(client: Client, auth: Auth, account_id: int, name: str, **extra: Any) -> Any:
    body = {"step": name} | extra
    return await send(client, "POST", f"/api/arrears/{account_id}/steps", auth, body)


def code(answer: tuple[int, Any]) -> tuple[int, str]:
    return answer[0], answer[1]["error"]["code"]


async def test_the_whole_sequence_then_a_payment_after_the_cut_opens_a_reconnection_ticket(
    client: Client, people: dict[Role, Auth], clock: ManualClock
) -> None:
    op, sup = people[Role.OPERATOR], people[Role.SUPERVISOR]
    acc = await account(client, "3300000101")
    status, view = await send(client, "GET", f"/api/arrears/{acc}", op)
    assert (status, view["step"], view["history"]) == (200, None, [])
    assert code(await step(client, sup, acc, "approved")) == (409, "arrears-step-not-allowed")
    status, view = await step(client, op, acc, "reminded", note="电话催交")
    assert (status, view["step"], view["arrears"]) == (200, "reminded", "100.00")
    assert view["overdue_since"] == "2026-01-14T16:00:00Z"
    assert code(await step(client, op, acc, "approved")) == (403, "arrears-approval-role")
    assert (await step(client, sup, acc, "approved"))[1]["step"] == "approved"
    assert code(await step(client, op, acc, "notice-delivered")) == (400, "cut-at-missing")
    early = (NOW + timedelta(days=1)).isoformat()
    assert code(await step(client, op, acc, "notice-delivered", cut_at=early)) == (
        409,
        "arrears-step-not-allowed",
    )
    status, view = await step(client, op, acc, "notice-delivered", cut_at=CUT.isoformat())
    assert (status, view["cut_at"]) == (200, "2026-03-14T02:00:00Z")
    assert code(await step(client, op, acc, "re-notified")) == (409, "arrears-step-not-allowed")
    clock.set(CUT - timedelta(hours=1))
    assert (await step(client, op, acc, "re-notified"))[1]["step"] == "re-notified"
    assert code(await step(client, op, acc, "executable")) == (409, "arrears-step-not-allowed")
    clock.set(CUT)
    assert (await step(client, op, acc, "executable"))[1]["step"] == "executable"

    clock.set(CUT + timedelta(minutes=40))
    status, paid = await send(
        client, "POST", f"/api/accounts/{acc}/payments", op, {"amount": "100"}
    )
    assert (status, paid["payment"]["applied"], paid["arrears"]["step"]) == (
        201,
        "100.00",
        "reconnection-due",
    )
    ticket = paid["reconnection_ticket"]
    due = CUT + timedelta(minutes=40) + timedelta(hours=24)
    assert datetime.fromisoformat(ticket["due_at"]) == due
    assert datetime.fromisoformat(paid["arrears"]["reconnection_due"]) == due
    _, stored = await send(client, "GET", f"/api/tickets/{ticket['id']}", op)
    assert (stored["type"], stored["subtype"], stored["account_id"]) == (
        "service_request",
        "reconnection",
        acc,
    )
    assert datetime.fromisoformat(stored["due_at"]) == due
    assert code(await step(client, op, acc, "reminded")) == (409, "arrears-sequence-closed")

    _, view = await send(client, "GET", f"/api/arrears/{acc}", op)
    steps = [(e["from_step"], e["to_step"], e["actor_role"]) for e in view["history"]]
    assert steps == [
        (None, "reminded", "operator"),
        ("reminded", "approved", "supervisor"),
        ("approved", "notice-delivered", "operator"),
        ("notice-delivered", "re-notified", "operator"),
        ("re-notified", "executable", "operator"),
        ("executable", "reconnection-due", "operator"),
    ]
    assert view["history"][0]["data"] == {"note": "电话催交"}
    entries = await SqlAuditLog(client.app[ENGINE]).entries("arrears", str(acc))
    assert [e.action for e in entries] == [
        "reminded",
        "approved",
        "notice-delivered",
        "re-notified",
        "executable",
        "payment",
        "reconnection-due",
    ]
    assert entries[1].editor.role == "supervisor" and entries[1].data["changed"] == [
        "approved_by",
        "step",
    ]


async def test_a_payment_before_the_cut_stops_the_sequence_without_a_ticket(
    client: Client, people: dict[Role, Auth]
) -> None:
    op = people[Role.OPERATOR]
    acc = await account(client, "3300000102")
    await step(client, op, acc, "reminded")
    body = {"amount": "60.50", "paid_at": "2026-03-10T09:00:00"}
    status, paid = await send(client, "POST", f"/api/accounts/{acc}/payments", op, body)
    assert (status, paid["arrears"]["step"], paid["reconnection_ticket"]) == (201, "stopped", None)
    paid_at = datetime.fromisoformat(paid["payment"]["paid_at"])
    assert paid_at == datetime(2026, 3, 10, 1, tzinfo=UTC)  # local time at the utility
    assert paid["arrears"]["arrears"] == "39.50"
    status, again = await send(client, "POST", f"/api/accounts/{acc}/payments", op, body)
    assert (status, again["arrears"]["step"]) == (201, "stopped")


@pytest.mark.parametrize(
    ("customer", "approver", "expected"),
    [
        ({"grade": "一级"}, Role.SUPERVISOR, (403, "arrears-approval-role")),
        ({"grade": "一级"}, Role.ADMIN, (200, "approved")),
        ({}, Role.ADMIN, (200, "approved")),
        ({"vulnerable": "life_support"}, Role.SUPERVISOR, (409, "vulnerable")),
        ({}, Role.AGENT, (403, "forbidden")),
    ],
)
async def test_approval_needs_the_role_the_customer_class_requires(
    client: Client,
    people: dict[Role, Auth],
    customer: dict[str, Any],
    approver: Role,
    expected: tuple[int, str],
) -> None:
    acc = await account(client, "3300000103", **customer)
    await step(client, people[Role.OPERATOR], acc, "reminded")
    status, answer = await step(client, people[approver], acc, "approved")
    got = answer["step"] if status == 200 else answer["error"]["code"]
    assert (status, got) == expected


async def test_an_area_suspension_blocks_the_approval(
    client: Client, people: dict[Role, Auth]
) -> None:
    op, sup = people[Role.OPERATOR], people[Role.SUPERVISOR]
    acc = await account(client, "3300000104")
    await step(client, op, acc, "reminded")
    body = {"area": "西湖区", "reason": "台风"}
    status, suspension = await send(client, "POST", "/api/area-suspensions", op, body)
    assert status == 201
    assert code(await step(client, sup, acc, "approved")) == (409, "area-suspended")
    await send(client, "POST", f"/api/area-suspensions/{suspension['id']}/end", op)
    assert (await step(client, sup, acc, "approved"))[1]["step"] == "approved"
    assert (await step(client, op, acc, "withdrawn"))[1]["step"] == "stopped"


REFUSALS = [
    ("GET", "/api/arrears/999999", None, 404, "no-such-account"),
    ("GET", "/api/arrears/abc", None, 400, "invalid-id"),
    ("POST", "/api/arrears/999999/steps", {"step": "reminded"}, 404, "no-such-account"),
    ("POST", "/api/arrears/PAID/steps", {"step": "reminded"}, 409, "no-arrears"),
    ("POST", "/api/arrears/ACC/steps", {"step": "cut"}, 400, "invalid-body"),
    ("POST", "/api/accounts/ACC/payments", {"amount": "0"}, 400, "invalid-amount"),
    ("POST", "/api/accounts/ACC/payments", {"amount": "1.234"}, 400, "invalid-body"),
    (
        "POST",
        "/api/accounts/ACC/payments",
        {"amount": "5", "paid_at": "2026-03-11T00:00:00Z"},
        400,
        "paid-at-in-future",
    ),
    ("POST", "/api/accounts/999999/payments", {"amount": "5"}, 404, "no-such-account"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "expected"), REFUSALS)
async def test_refusals_have_stable_codes(
    client: Client,
    people: dict[Role, Auth],
    method: str,
    path: str,
    body: Any,
    status: int,
    expected: str,
) -> None:
    acc = await account(client, "3300000105")
    paid = await account(client, "3300000106", bills=[])
    path = path.replace("ACC", str(acc)).replace("PAID", str(paid))
    assert code(await send(client, method, path, people[Role.OPERATOR], body)) == (
        status,
        expected,
    )


async def test_a_payment_without_a_sequence_only_settles_bills(
    client: Client, people: dict[Role, Auth]
) -> None:
    acc = await account(client, "3300000107")
    body = {"amount": "100"}
    status, paid = await send(
        client, "POST", f"/api/accounts/{acc}/payments", people[Role.ADMIN], body
    )
    assert (status, paid["arrears"]["step"], paid["payment"]["applied"]) == (201, None, "100.00")
    status, answer = await step(client, people[Role.OPERATOR], acc, "reminded")
    assert (status, answer["error"]["code"]) == (409, "no-arrears")
    entries = await SqlAuditLog(client.app[ENGINE]).entries("arrears", str(acc))
    assert [(e.action, e.editor.role) for e in entries] == [("payment", "admin")]
