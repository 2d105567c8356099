"""The operations console in a real browser (Debian's Chromium driven by Playwright): an
operator signs in, creates an outage notice from its type template on the simulated gateway,
sees the target preview (count, sample, the gate's refusals of the first 1000), starts it and
watches it complete over the console socket with its counts on the page, in Chinese and
after the switch in English; an agent is refused in words and by the API (403).
Screenshots are kept on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH, ENGINE
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.conftest import NOW, app_settings
from tests.integration.outbound_helpers import Town, town
from tests.integration.test_agent_desk import FakeTwilioRest

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
DIALING = {
    "CALLCENTER_OUTBOUND__RUN_DIALER": "true",
    "CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS": "0",
    "CALLCENTER_OUTBOUND__SCAN_SECONDS": "0.2",
    "CALLCENTER_ROUTING__RUN_ROUTER": "false",
}
OPTED_OUT = "+8613800000002"  # one of the outage's three customers
TITLES = {"zh-CN": "外呼运营控制台", "en-US": "Outbound operations console"}
# per language: the state, a refusal's label, a column heading once it has completed, and
# the preview's compliance line
WORDS = {
    "zh-CN": ("已完成", "已拒绝外呼", "拦截原因", "前 1000 个目标中检查了 3 个，今日将拦截 1 个"),
    "en-US": ("Completed", "Opted out", "Refusal reason", "3 checked of the first 1000; 1 would"),
}
REFUSED = (
    "The console is for operators, supervisors and administrators; you are signed in as an agent."
)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[TestServer], Awaitable[Client]], tmp_path: Path
) -> Client:
    """The app dialing on the simulated gateway, its clock at 10:00 in Beijing (inside the
    calling hours; it stands still, so the campaign is given one attempt per target)."""
    settings = app_settings((f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}", "memory://"), **DIALING)
    app = create_app(settings, clock=ManualClock(NOW), twilio_rest=FakeTwilioRest())
    return await aiohttp_client(TestServer(app))


async def check_words(page: Any, lang: str) -> None:
    state, refusal, heading, checked = WORDS[lang]
    assert await page.text_content("h1") == TITLES[lang]
    assert checked in (await page.text_content("#preview-checked") or "")
    assert await page.title() == TITLES[lang]
    assert await page.text_content("#detail-state") == state
    assert await page.text_content("#refused tr[data-code='opted-out'] td") == refusal
    assert await page.text_content("#refused th") == heading


async def preview_and_create(page: Any, place: Town) -> None:
    await page.wait_for_selector("#console:not([hidden])", timeout=5000)
    await page.select_option("#f-type", "outage-notice")
    assert await page.input_value("#f-target") == "outage:"  # the type's template
    assert await page.is_checked("#f-sms")
    await page.fill("#f-target", f"outage:{place.outage_id}")
    await page.fill("#f-max-attempts", "1")
    await page.click("#preview-button")
    await page.wait_for_selector("#preview:not([hidden])", timeout=5000)
    assert await page.text_content("#preview-count") == "3"
    assert await page.locator("#preview-sample tbody tr").count() == 3
    assert WORDS["zh-CN"][3] in (await page.text_content("#preview-checked") or "")
    row = page.locator("#preview-refusals tr[data-reason='opted-out'] td")
    assert [await row.nth(0).text_content(), await row.nth(1).text_content()] == ["已拒绝外呼", "1"]
    await page.click("#create-button")
    await page.wait_for_selector("#campaigns tr[data-state='draft']", timeout=5000)


async def test_an_operator_runs_an_outage_notice_from_the_console(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    place = await town(client.app[ENGINE])
    ops = await client.app[AUTH].add_user("ops", Role.OPERATOR, "pw-ops-123456", "运营")
    _, secret = await client.app[AUTH].create_token(Role.OPERATOR, "test", ops.id)
    auth = {"Authorization": f"Bearer {secret}"}
    assert (await client.post("/api/opt-outs", json={"phone": OPTED_OUT}, headers=auth)).ok
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    try:
        await page.goto(str(client.make_url("/ops")))
        assert await page.title() == TITLES["zh-CN"]
        await page.fill("#username", "ops")
        await page.fill("#password", "pw-ops-123456")
        await page.click("#signin-button")
        await preview_and_create(page, place)
        await page.click("#campaigns tr[data-state='draft'] button[data-verb='start']")
        await page.wait_for_selector("#detail-state[data-state='completed']", timeout=30000)
        assert await page.text_content("#fig-targets") == "3"
        assert await page.text_content("#fig-finished") == "3"
        await page.wait_for_selector("#fig-pacing[data-pacing='automated']", timeout=10000)
        assert "3" in (await page.text_content("#fig-abandon-cap") or "")  # the pack's 3 % cap
        done = page.locator("#campaigns tr[data-state='completed'] td")
        assert await done.nth(6).text_content() == "3 / 3"
        assert await page.locator("#results tbody tr").count() >= 1
        await page.wait_for_selector("#attempts tbody tr", timeout=5000)
        await check_words(page, "zh-CN")
        await page.select_option("#lang", "en-US")
        await check_words(page, "en-US")
        # the outage with the notice campaign it started (the lists reload on the switch)
        notices = f"#outages tr[data-outage='{place.outage_id}'] td:has-text('(Completed)')"
        await page.wait_for_selector(notices, timeout=5000)
    except BaseException:
        await screenshots(request, {"console": page})
        raise
    finally:
        await context.close()


async def test_an_agent_is_refused_by_the_page_and_the_api(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    user = await client.app[AUTH].add_user("agent01", Role.AGENT, "pw-agent-12345", "坐席")
    _, secret = await client.app[AUTH].create_token(Role.AGENT, "test", user.id)
    resp = await client.get("/api/campaigns", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status == 403
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    try:
        await page.goto(str(client.make_url("/ops")))
        await page.fill("#username", "agent01")
        await page.fill("#password", "pw-agent-12345")
        await page.click("#signin-button")
        await page.wait_for_selector("#refusal:not([hidden])", timeout=5000)
        assert await page.text_content("#refusal-text") == REFUSED
        assert await page.locator("#console").is_hidden()
    except BaseException:
        await screenshots(request, {"refused": page})
        raise
    finally:
        await context.close()
