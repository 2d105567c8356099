"""The desk's softphone routes through the app: `GET /api/agents/me/softphone` tells each
device kind what the desk runs (Twilio identity; the WebRTC softphone's WebSocket and SIP
URI; nothing for SIP and phone devices), and `PUT /api/agents/me/device` takes a ready agent
whose softphone failed out of routing (not ready, reason `device`, recorded as the system's
change) — one whose offer rings too, the call going back to its queue — leaves other states
alone, and never makes anyone ready by itself."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import agents
from agents.softphone import PhoneKind
from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import agent_events
from callcenter.web.keys import ACD, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, CALLER, TOKEN
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import (
    FakeTwilioRest,
    next_message,
    ready_agent,
    walk_to_billing,
)
from tests.integration.test_voice_token_api import SOFTPHONE, Client, MakeClient, app_client, user

WEBRTC = {
    "CALLCENTER_ASTERISK__WEBRTC_WS_URL": "wss://pbx.example.net:8089/ws",
    "CALLCENTER_ASTERISK__WEBRTC_DOMAIN": "pbx.example.net",
}
PHONE_PATH = "/api/agents/me/softphone"
DEVICE_PATH = "/api/agents/me/device"
NONE: dict[str, Any] = {"identity": None, "ws_url": None, "sip_uri": None}


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/static/agents/vendor/twilio.min.js", "Twilio.Device"),
        ("/static/agents/vendor/jssip.min.js", "JsSIP"),
        ("/static/agents/softphone.js", "use strict"),
        ("/static/agents/twiliophone.js", "use strict"),
        ("/static/agents/webrtcphone.js", "use strict"),
        ("/static/agents/livecall.js", "use strict"),
        ("/static/agents/i18nphone.js", "use strict"),
    ],
)
async def test_the_softphone_scripts_and_libraries_are_served_by_the_app(
    aiohttp_client: MakeClient, stores: tuple[str, str], path: str, marker: str
) -> None:
    client = await app_client(aiohttp_client, stores)
    resp = await client.get(path)
    assert resp.status == 200 and marker in await resp.text()
    assert resp.headers["Content-Type"].endswith("javascript")
    if "vendor" not in path:  # the desk loads the vendored library its agent needs
        assert f'src="{path}"' in await (await client.get("/desk")).text()


def test_the_vendored_libraries_ship_with_their_licences_and_versions() -> None:
    vendor = Path(agents.__file__).parent / "static" / "vendor"
    names = {p.name for p in vendor.iterdir()}
    assert {"LICENSE-twilio-voice-sdk.md", "LICENSE-jssip.txt", "README.md"} <= names
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    assert "npm pack @twilio/voice-sdk@2.18.5" in readme and "npm pack jssip@3.12.0" in readme
    project = tomllib.loads((Path(agents.__file__).parents[1] / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"]
    assert "*.js" in data["*"] and {"*.md", "*.txt"} <= set(data["agents.static.vendor"])


@pytest.mark.parametrize(
    ("env", "device", "expected"),
    [
        (
            SOFTPHONE,
            ("twilio_client", "a7"),
            {"kind": "twilio", "configured": True, "identity": "a7"},
        ),
        ({}, ("twilio_client", "a7"), {"kind": "twilio", "configured": False, "identity": "a7"}),
        (
            WEBRTC,
            ("webrtc", "2001"),
            {
                "kind": "webrtc",
                "configured": True,
                "ws_url": "wss://pbx.example.net:8089/ws",
                "sip_uri": "sip:2001@pbx.example.net",
            },
        ),
        ({}, ("webrtc", "2001"), {"kind": "webrtc", "configured": False}),
        (WEBRTC, ("sip", "1001"), {"kind": "sip", "configured": True}),
        (WEBRTC, ("phone", "+8613800138000"), {"kind": "phone", "configured": True}),
    ],
)
async def test_the_desk_learns_which_softphone_the_agent_has(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    env: dict[str, str],
    device: tuple[str, str],
    expected: dict[str, Any],
) -> None:
    client = await app_client(aiohttp_client, stores, **env)
    resp = await client.get(PHONE_PATH, headers=await user(client, "agent07", device))
    assert resp.status == 200
    assert await resp.json() == {**NONE, "device_address": device[1], **expected}
    assert expected["kind"] in set(PhoneKind)


async def test_the_softphone_route_is_for_agents(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    client = await app_client(aiohttp_client, stores)
    boss = await user(client, "boss", None, Role.SUPERVISOR)
    assert (await client.get(PHONE_PATH, headers=boss)).status == 403
    assert (await client.put(DEVICE_PATH, json={"status": "ready"}, headers=boss)).status == 403
    assert (await client.get(PHONE_PATH)).status == 401


async def signed_in(client: Client, state: str | None) -> dict[str, str]:
    """An agent with a Twilio Client device, logged in, then in `state` (with its reason)."""
    auth = await user(client, "agent07", ("twilio_client", "a7"))
    assert (await client.post("/api/agents/me/login", headers=auth)).status == 200
    if state == "ready":
        body: dict[str, Any] = {"state": "ready"}
    elif state == "break":
        body = {"state": "not_ready", "reason": "break"}
    else:
        return auth
    assert (await client.put("/api/agents/me/state", json=body, headers=auth)).status == 200
    return auth


async def report(client: Client, auth: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    resp = await client.put(DEVICE_PATH, json=body, headers=auth)
    return resp.status, await resp.json()


async def device_events(client: Client) -> list[tuple[str, str, str | None]]:
    """(to state, actor, reason) of the agent's presence history, oldest first."""
    table = agent_events
    async with client.app[ENGINE].connect() as conn:
        rows = await conn.execute(
            select(table.c.to_state, table.c.actor, table.c.reason).order_by(table.c.id)
        )
        return [(r.to_state, r.actor, r.reason) for r in rows]


async def test_a_failed_softphone_makes_a_ready_agent_not_ready(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    client = await app_client(aiohttp_client, stores)
    auth = await signed_in(client, "ready")
    status, body = await report(client, auth, {"status": "failed", "problem": "microphone-refused"})
    assert status == 200
    assert (body["status"], body["problem"], body["made_not_ready"]) == (
        "failed",
        "microphone-refused",
        True,
    )
    assert (body["presence"]["state"], body["presence"]["reason"]) == ("not_ready", "device")
    assert (await device_events(client))[-1] == ("not_ready", "system", "device")
    # back to ready: the phone is, the agent is not until they say so
    status, body = await report(client, auth, {"status": "ready"})
    assert (status, body["made_not_ready"], body["problem"]) == (200, False, None)
    assert (body["presence"]["state"], body["presence"]["reason"]) == ("not_ready", "device")


@pytest.mark.parametrize(
    ("state", "expected"),
    [(None, ("not_ready", "system")), ("break", ("not_ready", "break"))],
)
async def test_a_failed_softphone_leaves_an_agent_who_is_not_ready_as_they_are(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    state: str | None,
    expected: tuple[str, str],
) -> None:
    client = await app_client(aiohttp_client, stores)
    auth = await signed_in(client, state)
    before = await device_events(client)
    status, body = await report(client, auth, {"status": "failed", "problem": "network"})
    assert (status, body["made_not_ready"]) == (200, False)
    assert (body["presence"]["state"], body["presence"]["reason"]) == expected
    assert await device_events(client) == before


@pytest.mark.parametrize(
    "body",
    [
        {"status": "broken", "problem": "network"},
        {"status": "failed"},
        {"status": "failed", "problem": "gremlins"},
        {"status": "ready", "problem": "network"},
    ],
)
async def test_a_report_that_is_not_one_is_refused(
    aiohttp_client: MakeClient, stores: tuple[str, str], body: dict[str, Any]
) -> None:
    client = await app_client(aiohttp_client, stores)
    auth = await signed_in(client, "ready")
    status, answer = await report(client, auth, body)
    assert (status, answer["error"]["code"]) == (400, "invalid-device-report")
    assert "message" in answer["error"]
    status, answer = await report(client, auth, {"status": "ready", "extra": 1})
    assert (status, answer["error"]["code"]) == (400, "invalid-body")


async def test_agents_cannot_pick_the_device_reason_by_hand(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    client = await app_client(aiohttp_client, stores)
    auth = await signed_in(client, "ready")
    body = {"state": "not_ready", "reason": "device"}
    resp = await client.put("/api/agents/me/state", json=body, headers=auth)
    assert (resp.status, (await resp.json())["error"]["code"]) == (400, "invalid-agent-state")


async def test_a_failed_softphone_while_its_offer_rings_sends_the_call_back_to_the_queue(
    aiohttp_client: MakeClient, stores: tuple[str, str]
) -> None:
    rest = FakeTwilioRest()
    settings = app_settings(
        stores,
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__RUN_ROUTER="false",
    )
    client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW), twilio_rest=rest))
    bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
    await add_customer(
        client.app[ENGINE], "张伟", [AccountSpec("3300000001", [CALLER], bills=[bill])]
    )
    agent_id, auth, ws = await ready_agent(client)
    await walk_to_billing(client)
    await client.app[ACD].route()
    offer = await next_message(ws, "offer")
    status, body = await report(client, auth, {"status": "failed", "problem": "disconnected"})
    assert (status, body["made_not_ready"]) == (200, True)
    assert (body["presence"]["state"], body["presence"]["reason"]) == ("not_ready", "device")
    withdrawn = await next_message(ws, "offer_withdrawn")
    assert withdrawn["call_id"] == offer["call_id"]
    assert ">billing</Enqueue>" in str(rest.updates[-1][1])  # the caller back to waiting
    assert await client.app[ACD].waiting_info(offer["call_id"]) is not None
    assert (await client.app[ACD].presence(agent_id)).reason == "device"
    await ws.close()
