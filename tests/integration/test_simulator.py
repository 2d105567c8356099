"""`callcenter ivr simulate --server`: the simulator client drives the running app's Twilio
webhooks (no Twilio auth token: the embedded defaults), the call reaches a ready agent's
desk, is answered and hung up there, and its record is marked simulated."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.simulator.client import CallOptions, SimulatedCall
from callcenter.simulator.transport import ServerLink
from callcenter.web.keys import AUTH, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import CALLER, fixture
from tests.conftest import app_settings
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import call, next_message, ready_agent, supervisor

Client = TestClient[web.Request, web.Application]
SID = "CA" + "5" * 32


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ROUTING__TICK_MS="20",
        CALLCENTER_REDIS__KEY_PREFIX=f"ccsim:{id(clock)}:",
    )
    client = await aiohttp_client(create_app(settings, clock=clock))
    await add_customer(
        client.app[ENGINE],
        "张伟",
        [
            AccountSpec(
                "3300000001", [CALLER], bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))]
            )
        ],
    )
    return client


async def token(client: Client, role: Role) -> str:
    return (await client.app[AUTH].create_token(role, "simulator"))[1]


def simulator(client: Client, secret: str, presses: str, lines: list[str]) -> SimulatedCall:
    link = ServerLink(str(client.make_url("")), secret)
    options = CallOptions(CALLER, hangup_after=60, poll_seconds=2)
    return SimulatedCall(link, options, presses, ask=lambda: None, say=lines.append)


async def dial_in(client: Client, role: Role) -> tuple[asyncio.Task[int], list[str]]:
    """A simulated caller asking for a billing agent (then 5 for the survey), in a thread."""
    lines: list[str] = []
    sim = simulator(client, await token(client, role), "- 2 0 5", lines)
    return asyncio.create_task(asyncio.to_thread(sim.run)), lines


async def answer_and_hang_up(
    client: Client, auth: dict[str, str], call_id: str, caller: asyncio.Task[int]
) -> None:
    """The agent accepts the offer and hangs up on the desk; the caller then ends."""
    status, _ = await call(client, "POST", f"/api/agents/me/offers/{call_id}/accept", auth)
    assert status == 200
    assert (await call(client, "POST", "/api/agents/me/hang-up", auth))[0] == 200
    assert await asyncio.wait_for(caller, 30) == 0


async def test_a_simulated_call_reaches_the_desk_and_is_left_out_of_reports(
    client: Client,
) -> None:
    agent_id, auth, ws = await ready_agent(client)
    caller, lines = await dial_in(client, Role.OPERATOR)
    offer = await next_message(ws, "offer")
    call_id = offer["call_id"]
    assert offer["pop"]["customers"][0]["name"] == "张伟"
    await answer_and_hang_up(client, auth, call_id, caller)
    assert (await next_message(ws, "connected"))["call_id"] == call_id
    assert "  ☎ ringing agent01 — answer on the desk" in lines
    assert lines.index("  ☎ the agent hung up") < lines.index("  ▶ keys 5")
    status, _ = await call(client, "POST", "/api/agents/me/wrap-up", auth, disposition="resolved")
    assert status == 200
    record = await client.app[CALLS].get(call_id)
    assert (record.simulated, record.state, record.agent_id) == (True, "ended", agent_id)
    assert record.survey_score == 5
    boss = await supervisor(client)
    assert (await call(client, "GET", "/api/calls", boss))[1]["total"] == 0
    _, page = await call(client, "GET", "/api/calls?include_simulated=true", boss)
    assert [(c["id"], c["simulated"]) for c in page["items"]] == [(call_id, True)]
    assert (await call(client, "GET", f"/api/calls/{call_id}", boss))[1]["call"]["simulated"]
    _, figures = await call(client, "GET", "/api/stats/realtime", boss)
    billing = next(q for q in figures["queues"] if q["queue"] == "billing")
    assert (billing["entered"], billing["answered"]) == (0, 0)  # not in the wallboard's figures
    await ws.close()


async def test_an_unanswered_offer_puts_the_simulated_caller_back_in_the_queue(
    client: Client, clock: ManualClock
) -> None:
    _, auth, ws = await ready_agent(client)
    caller, lines = await dial_in(client, Role.ADMIN)
    first = await next_message(ws, "offer")
    await next_message(ws, "offer_ringing")  # the ring time starts when the device rings
    clock.advance(timedelta(seconds=21))  # the router's next round expires it
    assert (await next_message(ws, "offer_withdrawn"))["reason"] == "no-answer"
    status, _ = await call(client, "PUT", "/api/agents/me/state", auth, state="ready")
    assert status == 200
    again = await next_message(ws, "offer")
    assert again["call_id"] == first["call_id"]
    await answer_and_hang_up(client, auth, again["call_id"], caller)
    assert lines.count("  … waiting in queue billing for an agent") == 2
    assert lines.count("  ☎ ringing agent01 — answer on the desk") == 2
    await ws.close()


async def test_running_out_of_keys_hangs_up_and_ends_the_record(client: Client) -> None:
    lines: list[str] = []
    sim = simulator(client, await token(client, Role.ADMIN), "-", lines)
    assert await asyncio.to_thread(sim.run) == 0
    assert "  ⇒ no more keys: you hang up" in lines
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", sim.sid))
    assert record is not None and record.simulated and record.is_over


@pytest.mark.parametrize(
    ("header", "role", "secret"),
    [
        ("1", Role.AGENT, None),
        ("1", Role.SUPERVISOR, None),
        ("1", None, "cc_not-a-token"),
        ("1", None, ""),
        ("0", Role.ADMIN, None),
    ],
)
async def test_a_simulated_webhook_without_an_operator_token_is_refused_and_stores_nothing(
    client: Client, header: str, role: Role | None, secret: str | None
) -> None:
    bearer = await token(client, role) if role is not None else secret
    headers = {"X-Callcenter-Simulated": header, "Authorization": f"Bearer {bearer}"}
    params = fixture("incoming-call") | {"CallSid": SID}
    resp = await client.post("/twilio/voice", data=params, headers=headers)
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "forbidden"
    assert await client.app[CALLS].find_by_provider(ProviderRef("twilio", SID)) is None


async def mailbox(client: Client, path: str, role: Role) -> tuple[int, Any]:
    resp = await client.get(path, headers={"Authorization": f"Bearer {await token(client, role)}"})
    return resp.status, (await resp.json() if resp.status != 204 else None)


@pytest.mark.parametrize(
    ("path", "role", "status", "code"),
    [
        (f"/api/simulator/calls/{SID}/next?wait=0", Role.OPERATOR, 204, None),
        (f"/api/simulator/calls/{SID}/next?wait=0", Role.AGENT, 403, "forbidden"),
        ("/api/simulator/calls/CA123/next?wait=0", Role.ADMIN, 400, "invalid-call-sid"),
        (f"/api/simulator/calls/{SID}/next?wait=61", Role.ADMIN, 400, "invalid-query"),
    ],
)
async def test_the_mailbox_route_checks_role_sid_and_wait(
    client: Client, path: str, role: Role, status: int, code: str | None
) -> None:
    got, body = await mailbox(client, path, role)
    assert (got, body["error"]["code"] if body else None) == (status, code)
