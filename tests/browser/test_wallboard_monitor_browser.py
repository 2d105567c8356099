"""Supervisors listen, whisper and barge from the wallboard (issue 16), in Chromium: an
agent on a Twilio call shows the three buttons; with the supervisor's phone typed in,
each rings that phone into the call's conference (muted, coaching the agent, speaking), the
page says so, and the server audits it; a call that ended says why in words."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from agents.models import SYSTEM, AgentState
from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.web.keys import ACD, AUTH, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, CALLER, TOKEN, Caller
from tests.browser.chromium import playwright_or_skip
from tests.browser.test_desk_browser import sign_in
from tests.conftest import app_settings
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import PASSWORD, FakeTwilioRest, add_agent

playwright_or_skip()

Client = TestClient[web.Request, web.Application]


async def test_a_supervisor_listens_whispers_and_barges_from_the_wallboard(
    aiohttp_client: Callable[[TestServer], Awaitable[Client]], tmp_path: Path, browser: Any
) -> None:
    rest = FakeTwilioRest()
    settings = app_settings(
        (f"sqlite+aiosqlite:///{tmp_path / 'wall.db'}", "memory://"),
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__TICK_MS="50",
    )
    client = await aiohttp_client(TestServer(create_app(settings, twilio_rest=rest)))
    acd = client.app[ACD]
    bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
    await add_customer(
        client.app[ENGINE], "张伟", [AccountSpec("3300000001", [CALLER], bills=[bill])]
    )
    agent_id = await add_agent(client, "agent01", {"billing": 1, "general": 1})
    await acd.login(agent_id, SYSTEM)
    await acd.set_state(agent_id, "ready", None, SYSTEM)
    await client.app[AUTH].add_user("lead", Role.SUPERVISOR, PASSWORD, "班长")
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    await caller.press("2")
    assert ">billing</Enqueue>" in await caller.press("0"), "the caller waits for billing"
    for _ in range(100):  # the routing loop offers the call: the agent's device is rung
        if rest.legs:
            break
        await acd.route()
        await asyncio.sleep(0.02)
    assert rest.legs, "the call was not offered"
    call_id = (await acd.presence(agent_id)).call_id
    join = f"/twilio/agent-join?call={call_id}&agent={agent_id}&queue=billing"
    assert "<Conference" in await (await caller.post(join, {"CallStatus": "in-progress"})).text()
    started = {"StatusCallbackEvent": "conference-start", "ConferenceSid": "CF" + "0" * 32}
    await caller.post(f"/twilio/conference?call={call_id}", started)
    assert (await acd.presence(agent_id)).state is AgentState.ON_CALL

    page = await browser.new_page(locale="en-US")
    await page.goto(str(client.make_url("/wallboard")))
    await sign_in(page, "lead")
    row = f"#agents tr[data-agent='{agent_id}']"
    await page.wait_for_selector(f"{row} button[data-monitor='listen']", timeout=5000)
    assert await page.locator(f"{row} button").all_text_contents() == ["Listen", "Whisper", "Barge"]
    await page.select_option("#monitor-kind", "sip")
    await page.fill("#monitor-address", "sup1@pbx.example.com")
    words = {"listen": "Listen:", "whisper": "Whisper:", "barge": "Barge:"}
    for mode, marker in (("listen", 'muted="true"'), ("whisper", "coach="), ("barge", "")):
        legs = len(rest.legs)
        await page.click(f"{row} button[data-monitor='{mode}']")
        await page.wait_for_selector(f"#monitor-status:has-text('{words[mode]}')", timeout=5000)
        assert len(rest.legs) == legs + 1  # the page says so once the leg is placed
        to, _, twiml, _ = rest.legs[-1]
        assert to == "sip:sup1@pbx.example.com" and marker in twiml, mode
    status = await page.text_content("#monitor-status") or ""
    assert status.startswith("Barge: your phone sup1@pbx.example.com")

    await caller.post("/twilio/status", {"CallStatus": "completed"})  # the call ends
    await page.evaluate(f"MONITOR.join('{call_id}', 'listen')")  # a button still shown
    await page.wait_for_selector("#monitor-status.error", timeout=5000)
    assert "Could not join the call" in (await page.text_content("#monitor-status") or "")
