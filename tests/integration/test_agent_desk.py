"""Agents through the running app: a signed Twilio call walks the IVR to an agent, the pop
reaches the desk's WebSocket, the device answers, wrap-up; offer timeouts, abandons,
callbacks, roles and the reconciler (embedded and real stores, a fake Twilio REST)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import insert

from agents.models import AgentState, Presence
from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import agent_queues, agent_skills, agents
from callcenter.telephony.twilio.bridge import LegOptions
from callcenter.web.keys import ACD, AUTH, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, CALLER, TOKEN, Caller
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer

Client = TestClient[web.Request, web.Application]
WS = Any
PASSWORD = "desk-password-1"


class FakeTwilioRest:
    """Twilio's REST API at the edge: records what the bridge asked for."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, str | None, str | None]] = []
        self.created: list[tuple[str, str, str]] = []
        self.legs: list[tuple[str, str, str, LegOptions]] = []  # placed into a conference
        self.participants: list[tuple[str, str, dict[str, object]]] = []
        self.recordings: list[tuple[str, str, str]] = []
        self.statuses: dict[str, str] = {}

    async def update_call(
        self, sid: str, *, twiml: str | None = None, status: str | None = None
    ) -> None:
        self.updates.append((sid, twiml, status))

    async def create_call(
        self, to: str, from_: str, twiml: str, leg: LegOptions | None = None
    ) -> str:
        if leg is not None:
            self.legs.append((to, from_, twiml, leg))
            return f"CAleg{len(self.legs)}"
        self.created.append((to, from_, twiml))
        return "CAcallback"

    async def update_participant(
        self, conference_sid: str, call_sid: str, changes: Mapping[str, object]
    ) -> None:
        self.participants.append((conference_sid, call_sid, dict(changes)))

    async def update_recording(self, conference_sid: str, recording_sid: str, status: str) -> None:
        self.recordings.append((conference_sid, recording_sid, status))

    async def call_status(self, sid: str) -> str | None:
        return self.statuses.get(sid)


@pytest.fixture
def rest() -> FakeTwilioRest:
    return FakeTwilioRest()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    rest: FakeTwilioRest,
    clock: ManualClock,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__RUN_ROUTER="false",
        CALLCENTER_REDIS__KEY_PREFIX=f"cctest:{id(clock)}:",
    )
    app = create_app(settings, clock=clock, twilio_rest=rest)
    return await aiohttp_client(app)


async def add_agent(client: Client, name: str, queues: dict[str, int]) -> int:
    user = await client.app[AUTH].add_user(name, Role.AGENT, PASSWORD, f"坐席 {name}")
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            insert(agents).values(
                user_id=user.id, device_kind="twilio_client", device_address=name, languages="zh-CN"
            )
        )
        await conn.execute(
            insert(agent_skills), [{"agent_id": user.id, "skill": q, "level": 2} for q in queues]
        )
        await conn.execute(
            insert(agent_queues),
            [{"agent_id": user.id, "queue": q, "level": lvl} for q, lvl in queues.items()],
        )
    await client.app[ACD].refresh_agents()
    return user.id


async def sign_in(client: Client, username: str, password: str = PASSWORD) -> dict[str, str]:
    resp = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert resp.status == 200, await resp.text()
    return {"Authorization": "Bearer " + (await resp.json())["token"]}


async def call(client: Client, method: str, path: str, auth: dict[str, str], **body: Any) -> Any:
    resp = await client.request(method, path, headers=auth, json=body if body else None)
    return resp.status, await resp.json()


async def next_message(ws: WS, kind: str) -> dict[str, Any]:
    """The next message of `kind`, skipping others. The wait only guards against a hang: it
    is long enough for a CI machine whose two cores are shared by the test workers,
    PostgreSQL, Redis and Chromium (one first message took over 5 s there)."""
    while True:
        msg = json.loads((await asyncio.wait_for(ws.receive(), 20)).data)
        if msg["type"] == kind:
            return dict(msg)


@pytest.fixture
async def zhang(client: Client) -> int:
    created = await add_customer(
        client.app[ENGINE],
        "张伟",
        [
            AccountSpec(
                "3300000001", [CALLER], bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))]
            )
        ],
    )
    return created.customer_id


async def ready_agent(client: Client, name: str = "agent01") -> tuple[int, dict[str, str], WS]:
    agent_id = await add_agent(client, name, {"billing": 2, "general": 1})
    auth = await sign_in(client, name)
    assert (await call(client, "POST", "/api/agents/me/login", auth))[1]["state"] == "not_ready"
    ws = await client.ws_connect("/desk/ws")
    await ws.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    assert (await next_message(ws, "state"))["state"] == "not_ready"
    status, body = await call(client, "PUT", "/api/agents/me/state", auth, state="ready")
    assert (status, body["state"]) == (200, "ready")
    return agent_id, auth, ws


async def walk_to_billing(client: Client) -> Caller:
    """A caller who asks for a billing agent from the bill menu."""
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    await caller.press("2")
    assert ">billing</Enqueue>" in await caller.press("0")
    return caller


async def test_call_reaches_the_agent_with_the_pop_and_wraps_up(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    agent_id, auth, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    assert await client.app[ACD].route() == 1
    offer = await next_message(ws, "offer")
    pop = offer["pop"]
    customer = pop["customers"][0]
    assert customer["name"] == "张伟"
    account = customer["accounts"][0]
    assert (account["arrears"]["arrears"], account["arrears"]["fee"]) == ("500.00", "9.00")
    assert pop["queue"] == "billing" and "bill_menu" in list(pop["ivr_path"])
    call_id = offer["call_id"]
    sid, twiml, _ = rest.updates[-1]
    assert twiml is not None and sid == caller.base["CallSid"]
    # the caller waits in the call's conference; the agent's device is rung into it
    assert f">cc-{call_id}</Conference>" in twiml and 'startConferenceOnEnter="false"' in twiml
    to, _, agent_twiml, options = rest.legs[-1]
    join = f"/twilio/agent-join?call={call_id}&agent={agent_id}&queue=billing"
    assert to == "client:agent01" and f">{BASE}{join}</Redirect>" in agent_twiml.replace(
        "&amp;", "&"
    )
    leg = f"/twilio/agent-leg?call={call_id}&agent={agent_id}&queue=billing"
    assert options.status_callback == BASE + leg
    answered = await (await caller.post(join, {"CallStatus": "in-progress"})).text()
    assert f">cc-{call_id}</Conference>" in answered  # the answered leg joins the call
    assert (await caller.post(leg, {"CallStatus": "in-progress"})).status == 204
    assert (await next_message(ws, "connected"))["call_id"] == call_id
    status, me = await call(client, "GET", "/api/agents/me", auth)
    assert me["presence"]["state"] == "on_call"
    # the agent leaves: the conference ends and the caller's Dial reports it
    done = f"/twilio/dial-result?conference=1&call={call_id}&agent={agent_id}&queue=billing"
    await caller.post(done, {"CallStatus": "in-progress"})
    assert (await next_message(ws, "state"))["state"] == "wrap_up"
    status, body = await call(
        client, "POST", "/api/agents/me/wrap-up", auth, disposition="resolved", notes="解释了违约金"
    )
    assert (status, body["presence"]["state"]) == (200, "ready")
    record = await client.app[CALLS].get(call_id)
    assert (record.state, record.disposition, record.agent_id) == ("ended", "resolved", agent_id)
    sup = await supervisor(client)
    status, stats = await call(client, "GET", "/api/stats/realtime", sup)
    billing = next(q for q in stats["queues"] if q["queue"] == "billing")
    assert (billing["entered"], billing["answered"], billing["service_level"]) == (1, 1, 1.0)
    await ws.close()


async def supervisor(client: Client) -> dict[str, str]:
    await client.app[AUTH].add_user("boss", Role.SUPERVISOR, PASSWORD, "值班长")
    return await sign_in(client, "boss")


async def test_offer_timeout_goes_back_to_the_head_and_agent_not_ready(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    _, auth, ws = await ready_agent(client)
    await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    clock.advance(timedelta(seconds=21))
    assert await client.app[ACD].expire() == 1
    withdrawn = await next_message(ws, "offer_withdrawn")
    assert (withdrawn["call_id"], withdrawn["reason"]) == (offer["call_id"], "no-answer")
    _, me = await call(client, "GET", "/api/agents/me", auth)
    assert (me["presence"]["state"], me["presence"]["reason"]) == ("not_ready", "no-answer")
    assert ">billing</Enqueue>" in str(rest.updates[-1][1])  # the caller back to waiting
    assert (await client.app[ACD].waiting_info(offer["call_id"])) is not None
    await ws.close()


async def test_caller_hangs_up_while_offered(
    client: Client, zhang: int, clock: ManualClock
) -> None:
    _, auth, ws = await ready_agent(client)
    caller = await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    clock.advance(timedelta(seconds=3))
    await caller.post("/twilio/queue-result", {"QueueResult": "hangup", "QueueTime": "3"})
    withdrawn = await next_message(ws, "offer_withdrawn")
    assert withdrawn["reason"] == "abandoned"
    record = await client.app[CALLS].get(offer["call_id"])
    assert (record.state, record.wait_seconds) == ("abandoned", 3)
    _, me = await call(client, "GET", "/api/agents/me", auth)
    assert me["presence"]["state"] == "ready"
    stats = await client.app[ACD].realtime()
    billing = next(q for q in stats["queues"] if q.queue == "billing")
    assert (billing.abandoned, billing.short_abandoned, billing.waiting) == (1, 1, 0)
    await ws.close()


async def test_long_wait_offers_a_callback_that_keeps_the_place(client: Client, zhang: int) -> None:
    caller = await walk_to_billing(client)  # nobody serves billing: the wait is unbounded
    twiml = (await caller.post("/twilio/wait", {"QueuePosition": "1"}), caller.twiml)[1]
    assert "按1" in twiml and f'action="{BASE}/twilio/callback"' in twiml
    await caller.post("/twilio/callback", {"Digits": "1"})
    assert "<Hangup" in caller.twiml
    await caller.post("/twilio/queue-result", {"QueueResult": "hangup"})
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert record is not None
    call_id = record.id
    assert (record.state, record.disposition) == ("ended", "callback-requested")
    assert await client.app[ACD].waiting_info(call_id) is not None  # still in line


async def test_roles_and_supervisor_force_state(client: Client) -> None:
    agent_id = await add_agent(client, "agent02", {"general": 1})
    auth = await sign_in(client, "agent02")
    assert (await call(client, "GET", "/api/agents", auth))[0] == 403
    assert (await call(client, "GET", "/api/stats/realtime", auth))[0] == 403
    status, body = await call(client, "PUT", "/api/agents/me/state", auth, state="ready")
    assert (status, body["error"]["code"]) == (409, "agent-state-conflict")  # logged out
    await call(client, "POST", "/api/agents/me/login", auth)
    status, body = await call(client, "PUT", "/api/agents/me/state", auth, state="not_ready")
    assert (status, body["error"]["code"]) == (400, "invalid-agent-state")  # no reason
    status, body = await call(client, "PUT", "/api/agents/me/state", auth, state="on_call")
    assert (status, body["error"]["code"]) == (400, "invalid-agent-state")
    sup = await supervisor(client)
    path = f"/api/agents/{agent_id}/state"
    status, body = await call(client, "PUT", path, sup, state="not_ready", reason="training")
    assert (status, body["state"], body["reason"]) == (200, "not_ready", "training")
    assert (await call(client, "POST", f"/api/agents/{agent_id}/logout", sup))[0] == 200
    status, history = await call(client, "GET", f"/api/agents/{agent_id}/events", sup)
    actors = [(e["to_state"], e["actor"]) for e in history["events"]]
    assert actors == [
        ("logged_out", "supervisor"),
        ("not_ready", "supervisor"),
        ("not_ready", "agent"),
    ]
    assert (await call(client, "PUT", "/api/agents/99999/state", sup, state="ready"))[0] == 404
    status, body = await call(
        client, "POST", "/api/auth/login", {}, username="agent02", password="x"
    )
    assert (status, body["error"]["code"]) == (401, "bad-credentials")


async def test_reconciler_repairs_reserved_agents_and_lost_desks(
    client: Client, clock: ManualClock
) -> None:
    acd = client.app[ACD]
    agent_id, _, ws = await ready_agent(client)
    await ws.close()
    await asyncio.sleep(0.05)
    clock.advance(timedelta(seconds=61))
    repairs = await acd.reconcile()
    assert repairs == [f"agent {agent_id} ready but the desk is gone: not ready (desk-gone)"]
    state = acd._state
    await state.set_presence(
        agent_id, [AgentState.NOT_READY], Presence(AgentState.RESERVED, 1, None, "ghost")
    )
    assert await acd.reconcile() == [f"agent {agent_id} reserved without a live offer: ready"]
    assert (await acd.presence(agent_id)).state is AgentState.READY


async def test_reconciler_abandons_queued_calls_whose_call_has_ended(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    caller = await walk_to_billing(client)
    record = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert record is not None
    assert await client.app[ACD].reconcile() == []  # Twilio does not know: left alone
    rest.statuses[caller.base["CallSid"]] = "completed"  # the hang-up callback was lost
    assert await client.app[ACD].reconcile() == [
        f"call {record.id} queued but its call has ended: abandoned"
    ]
    assert await client.app[ACD].waiting_info(record.id) is None


async def test_reconnecting_desk_gets_its_offer_back_and_decline_requeues(
    client: Client, zhang: int, rest: FakeTwilioRest
) -> None:
    _, auth, ws = await ready_agent(client)
    await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    await ws.close()
    again = await client.ws_connect("/desk/ws")
    await again.send_str(json.dumps({"type": "auth", "token": auth["Authorization"][7:]}))
    state = await next_message(again, "state")
    assert (state["state"], state["call"]["call_id"]) == ("reserved", offer["call_id"])
    assert state["call"]["pop"]["customers"][0]["name"] == "张伟"
    path = f"/api/agents/me/offers/{offer['call_id']}/decline"
    status, body = await call(client, "POST", path, auth)
    assert (status, body["presence"]["state"]) == (200, "not_ready")
    assert (await next_message(again, "offer_withdrawn"))["reason"] == "declined"
    assert ">billing</Enqueue>" in str(rest.updates[-1][1])
    assert (await call(client, "POST", path, auth))[1]["error"]["code"] == "no-such-offer"
    await again.close()


async def test_hang_up_and_transfer_from_the_desk(
    client: Client, zhang: int, rest: FakeTwilioRest, clock: ManualClock
) -> None:
    _, auth, ws = await ready_agent(client)
    second = await add_agent(client, "agent02", {"general": 1})
    await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    await call(client, "POST", f"/api/agents/me/offers/{offer['call_id']}/accept", auth)
    status, body = await call(client, "POST", "/api/agents/me/transfer", auth, agent_id=second)
    assert (status, body["presence"]["state"]) == (200, "wrap_up")
    assert ">general</Enqueue>" in str(rest.updates[-1][1])  # waits for agent02 in general
    waiting = await client.app[ACD].waiting_info(offer["call_id"])
    assert waiting is not None and waiting.position == 1
    await call(client, "POST", "/api/agents/me/wrap-up", auth, disposition="transferred")
    assert await client.app[ACD].route() == 0  # agent01 is ready, but it waits for agent02
    clock.advance(timedelta(seconds=61))  # agent02 never came: anyone in general may take it
    assert await client.app[ACD].route() == 1
    await next_message(ws, "offer")
    assert (await client.app[ACD].presence(second)).state.value == "logged_out"
    sup = await supervisor(client)
    status, listed = await call(client, "GET", "/api/agents", sup)
    states = {a["username"]: a["presence"]["state"] for a in listed["agents"]}
    assert status == 200 and states == {"agent01": "reserved", "agent02": "logged_out"}
    await call(client, "POST", f"/api/agents/me/offers/{offer['call_id']}/accept", auth)
    status, body = await call(client, "POST", "/api/agents/me/hang-up", auth)
    assert (status, body["presence"]["state"]) == (200, "wrap_up")
    assert rest.updates[-1][2] == "completed"  # the caller's call ended through REST
    await ws.close()
