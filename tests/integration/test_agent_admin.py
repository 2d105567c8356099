"""Agent administration through the running app (embedded and real stores): create and
change agents, errors with stable codes, audit entries, disabling (logged out, the offer
back in its queue, no log-in, no routing), and a disabled agent logged out on a notice."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from agents.models import AgentState
from callcenter.core.api import Role
from callcenter.state.config_notices import RedisConfigNotices
from callcenter.state.keys import Keys
from callcenter.storage.audit import SqlAuditLog
from callcenter.storage.tables import agents
from callcenter.web.keys import ACD, AUTH, ENGINE, REDIS, SETTINGS
from tests.adapters.test_twilio_webhooks import CALLER
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.admin_helpers import Client, app_client, eventually, send, staff
from tests.integration.test_agent_desk import (
    call,
    next_message,
    sign_in,
    walk_to_billing,
)

AGENT_PASSWORD = "desk-password-1"
SIP = {"kind": "sip", "address": "1001"}


client = app_client


@pytest.fixture
async def admin(client: Client) -> tuple[int, dict[str, str]]:
    return await staff(client, Role.ADMIN)


async def new_agent(
    client: Client, admin: dict[str, str], name: str = "agent01", **body: Any
) -> Any:
    await client.app[AUTH].add_user(name, Role.AGENT, AGENT_PASSWORD, f"坐席 {name}")
    payload = {
        "username": name,
        "device": SIP,
        "skills": {"billing": 2},
        "queues": {"billing": 2, "general": 1},
    } | body
    status, created = await send(client, "POST", "/api/agents", admin, payload)
    assert status == 201, created
    return created


async def test_an_admin_makes_a_user_an_agent_who_can_work_at_once(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    created = await new_agent(client, admin[1], skills={"billing": 3}, languages=["zh-CN", "en-US"])
    assert (created["device_kind"], created["device_address"]) == ("sip", "1001")
    assert created["skills"] == {"billing": 3} and created["languages"] == ["zh-CN", "en-US"]
    assert (created["enabled"], created["manages"]) == (True, [])
    assert created["presence"]["state"] == "logged_out"
    auth = await sign_in(client, "agent01", AGENT_PASSWORD)
    status, me = await call(client, "GET", "/api/agents/me", auth)
    assert (status, me["queues"], me["enabled"]) == (200, {"billing": 2, "general": 1}, True)
    status, listed = await send(client, "GET", "/api/agents", admin[1])
    assert [a["username"] for a in listed["agents"]] == ["agent01"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"device": {"kind": "fax", "address": "1"}}, 400, "invalid-device"),
        ({"device": {"kind": "phone", "address": "12"}}, 400, "invalid-device"),
        ({"queues": {"nowhere": 1}}, 400, "no-such-queue"),
        ({"skills": {"billing": 12}}, 400, "invalid-skill-level"),
        ({"languages": ["中文"]}, 400, "invalid-language"),
        ({"manages": [999999]}, 400, "no-such-customer"),
        ({"username": "nobody"}, 404, "no-such-user"),
        ({"username": "ops"}, 409, "user-not-agent"),
        ({"username": "agent01"}, 409, "agent-exists"),
        ({"colour": "red"}, 400, "invalid-body"),
    ],
)
async def test_bad_agents_are_refused_with_stable_codes(
    client: Client, admin: tuple[int, dict[str, str]], body: dict[str, Any], status: int, code: str
) -> None:
    await new_agent(client, admin[1])
    await client.app[AUTH].add_user("fresh", Role.AGENT, AGENT_PASSWORD)
    await client.app[AUTH].add_user("ops", Role.OPERATOR, AGENT_PASSWORD)
    got, error = await send(
        client, "POST", "/api/agents", admin[1], {"username": "fresh", "device": SIP} | body
    )
    assert (got, error["error"]["code"]) == (status, code)


async def test_a_change_is_partial_audited_and_links_the_account_manager(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    created = await new_agent(client, admin[1])
    customer = await add_customer(
        client.app[ENGINE], "大客户", [AccountSpec("3300000009", [CALLER])]
    )
    agent_id = created["agent_id"]
    body = {
        "skills": {"big-customer": 3},
        "manages": [customer.customer_id],
        "device": {"kind": "phone", "address": "13800138000"},
    }
    status, changed = await send(client, "PATCH", f"/api/agents/{agent_id}", admin[1], body)
    assert status == 200, changed
    assert changed["skills"] == {"big-customer": 3} and changed["queues"] == created["queues"]
    assert (changed["device_kind"], changed["device_address"]) == ("phone", "+8613800138000")
    assert changed["manages"] == [customer.customer_id]
    _, profile = await send(client, "GET", "/api/customers/lookup?account=3300000009", admin[1])
    assert profile["customers"][0]["account_manager"]["user_id"] == agent_id
    entries = await SqlAuditLog(client.app[ENGINE]).entries("agent", str(agent_id))
    assert [e.action for e in entries] == ["create", "update"]
    last = entries[-1]
    assert (last.editor.role, last.editor.user_id) == ("admin", admin[0])
    assert last.data["before"]["skills"] == {"billing": 2} and last.data["after"]["manages"] == [
        customer.customer_id
    ]
    assert set(last.data["changed"]) == {"device", "manages", "skills"}


async def test_only_admins_administer_agents(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    created = await new_agent(client, admin[1])
    _, supervisor = await staff(client, Role.SUPERVISOR)
    _, operator = await staff(client, Role.OPERATOR)
    assert (await send(client, "GET", "/api/agents", supervisor))[0] == 200
    assert (await send(client, "GET", "/api/agents", operator))[0] == 403
    patch = f"/api/agents/{created['agent_id']}"
    assert (await send(client, "PATCH", patch, supervisor, {"enabled": False}))[0] == 403
    status, error = await send(client, "PATCH", "/api/agents/99999", admin[1], {"enabled": False})
    assert (status, error["error"]["code"]) == (404, "no-such-agent")


async def ready_desk(client: Client, name: str = "agent01") -> tuple[dict[str, str], Any]:
    auth = await sign_in(client, name, AGENT_PASSWORD)
    await call(client, "POST", "/api/agents/me/login", auth)
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    await next_message(ws, "state")
    assert (await call(client, "PUT", "/api/agents/me/state", auth, state="ready"))[0] == 200
    return auth, ws


@pytest.fixture
async def zhang(client: Client) -> int:
    spec = AccountSpec(
        "3300000001", [CALLER], bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))]
    )
    return (await add_customer(client.app[ENGINE], "张伟", [spec])).customer_id


async def test_disabling_logs_out_returns_the_offer_and_bars_the_desk(
    client: Client, admin: tuple[int, dict[str, str]], zhang: int
) -> None:
    agent_id = (await new_agent(client, admin[1]))["agent_id"]
    auth, ws = await ready_desk(client)
    await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    offer = await next_message(ws, "offer")
    status, changed = await send(
        client, "PATCH", f"/api/agents/{agent_id}", admin[1], {"enabled": False}
    )
    assert (status, changed["enabled"], changed["presence"]["state"]) == (200, False, "logged_out")
    withdrawn = await next_message(ws, "offer_withdrawn")
    assert withdrawn["call_id"] == offer["call_id"]
    assert await client.app[ACD].waiting_info(offer["call_id"]) is not None  # back in line
    assert await client.app[ACD].route() == 0  # nobody else, and never the disabled agent
    status, error = await call(client, "POST", "/api/agents/me/login", auth)
    assert (status, error["error"]["code"]) == (401, "account-disabled")  # issue 18: at once
    desk = await client.ws_connect("/desk/ws")
    await desk.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    assert (await next_message(desk, "error"))["code"] == "account-disabled"
    entries = await SqlAuditLog(client.app[ENGINE]).entries("agent", str(agent_id))
    assert entries[-1].action == "disable"
    status, enabled = await send(
        client, "PATCH", f"/api/agents/{agent_id}", admin[1], {"enabled": True}
    )
    assert (status, enabled["enabled"]) == (200, True)
    assert (await call(client, "POST", "/api/agents/me/login", auth))[0] == 200
    await ws.close()


async def test_an_agent_on_a_call_is_not_disabled(
    client: Client, admin: tuple[int, dict[str, str]], zhang: int
) -> None:
    agent_id = (await new_agent(client, admin[1]))["agent_id"]
    _, ws = await ready_desk(client)
    caller = await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    leg = f"/twilio/agent-leg?call={offer['call_id']}&agent={agent_id}&queue=billing"
    assert (await caller.post(leg, {"CallStatus": "in-progress"})).status == 204
    status, error = await send(
        client, "PATCH", f"/api/agents/{agent_id}", admin[1], {"enabled": False}
    )
    assert (status, error["error"]["code"]) == (409, "agent-on-call")
    assert (await send(client, "GET", "/api/agents", admin[1]))[1]["agents"][0]["enabled"] is True
    await ws.close()


async def test_an_agent_disabled_elsewhere_is_logged_out_on_the_notice(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    agent_id = (await new_agent(client, admin[1]))["agent_id"]
    _, ws = await ready_desk(client)
    async with client.app[ENGINE].begin() as conn:  # as `callcenter agent disable` does
        await conn.execute(update(agents).where(agents.c.user_id == agent_id).values(enabled=False))
    keys = Keys(client.app[SETTINGS].redis.key_prefix)
    await RedisConfigNotices(client.app[REDIS], keys).publish("agents")

    async def logged_out() -> bool:
        return (await client.app[ACD].presence(agent_id)).state is AgentState.LOGGED_OUT

    assert await eventually(logged_out)
    await ws.close()
