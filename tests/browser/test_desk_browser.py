"""The desk and the wallboard in a real browser (Debian's Chromium driven by Playwright):
sign in as an agent, go ready, a signed Twilio call walks the IVR to the agent, the pop shows
the right customer and arrears (a name with markup shows as text), accept, the call ends,
wrap up with a disposition; the wallboard shows the call. Screenshots are kept on failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.web.keys import ACD, AUTH, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, CALLER, TOKEN, Caller
from tests.conftest import app_settings
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import PASSWORD, FakeTwilioRest, add_agent

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MARKUP_NAME = "张伟<img src=x onerror=alert(1)>"

playwright_api = pytest.importorskip("playwright.async_api")
if not shutil.which(CHROMIUM) and os.environ.get("CI") != "true":
    pytest.skip("Debian's chromium is not installed (CI installs it)", allow_module_level=True)

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture
async def client(
    aiohttp_client: Callable[[TestServer], Awaitable[Client]], tmp_path: Path
) -> Client:
    settings = app_settings(
        (f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}", "memory://"),
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__TICK_MS="50",
    )
    return await aiohttp_client(TestServer(create_app(settings, twilio_rest=FakeTwilioRest())))


async def sign_in(page: Any, username: str) -> None:
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#signin-button")


async def test_agent_takes_a_call_on_the_desk_and_the_wallboard_shows_it(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    await add_customer(
        client.app[ENGINE],
        MARKUP_NAME,
        [
            AccountSpec(
                "3300000001", [CALLER], bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))]
            )
        ],
    )
    agent_id = await add_agent(client, "agent01", {"billing": 2, "general": 1})
    await client.app[AUTH].add_user("boss", Role.SUPERVISOR, PASSWORD, "值班长")
    base = str(client.make_url("/")).rstrip("/")
    context = await browser.new_context(locale="zh-CN")
    desk = await context.new_page()
    board = await context.new_page()
    try:
        await desk.goto(base + "/desk")
        await sign_in(desk, "agent01")
        await desk.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        await desk.click("#go-ready")
        await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)

        caller = Caller(client)
        await caller.ring()
        await caller.silence()
        await caller.press("2")
        assert ">billing</Enqueue>" in await caller.press("0")

        await desk.wait_for_selector("#call:not([hidden]) .customer-name", timeout=1500)
        assert await desk.text_content(".customer-name") == MARKUP_NAME
        assert await desk.locator("#pop img").count() == 0
        pop_text = await desk.text_content("#pop")
        assert "500.00" in pop_text and "3300000001" in pop_text and "违约金" in pop_text
        await desk.click("#accept")
        await desk.wait_for_selector("#state[data-state='on_call']", timeout=5000)

        presence = await client.app[ACD].presence(agent_id)
        call_id = presence.call_id
        assert call_id is not None
        done = f"/twilio/dial-result?call={call_id}&agent={agent_id}&queue=billing"
        await caller.post(done, {"DialCallStatus": "completed", "DialBridged": "true"})
        await desk.wait_for_selector("#wrap-up-form:not([hidden])", timeout=5000)
        await desk.select_option("#disposition", "resolved")
        await desk.fill("#notes", "解释了违约金")
        await desk.click("#wrap-up-done")
        await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)
        record = await client.app[CALLS].get(call_id)
        assert (record.state, record.disposition) == ("ended", "resolved")

        await board.goto(base + "/wallboard")
        await sign_in(board, "boss")
        row = board.locator("#queues tr[data-queue='billing'] td")
        await board.wait_for_selector("#queues tr[data-queue='billing']", timeout=5000)
        assert await row.nth(3).text_content() == "1"  # answered
        assert (await row.nth(4).text_content() or "").startswith("100.0%")
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name
        await desk.screenshot(path=str(ARTIFACTS / f"{name}-desk.png"), full_page=True)
        await board.screenshot(path=str(ARTIFACTS / f"{name}-wallboard.png"), full_page=True)
        raise
    finally:
        await context.close()
