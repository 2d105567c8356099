"""The desk and the wallboard in a real browser (Debian's Chromium driven by Playwright):
sign in as an agent, go ready, a signed Twilio call walks the IVR to the agent, the pop shows
the right customer and arrears (a name with markup shows as text) with local times
(Asia/Shanghai), money in yuan and labels instead of codes, in Chinese and after the switch
in English; accept, the call ends, wrap up with a disposition; the wallboard refuses the
agent in words and shows the call to the supervisor. Screenshots are kept on failure."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.core.api import Role
from callcenter.web.keys import ACD, AUTH, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import CALLER, Caller
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.factories import AccountSpec, BillSpec, add_customer, add_outage
from tests.integration.test_agent_desk import PASSWORD, add_agent

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
MARKUP_NAME = "张伟<img src=x onerror=alert(1)>"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The planned outage (scheduled, so the IVR does not announce it; the pop shows it):
# 01:00 to 04:00 UTC tomorrow (the app runs on the real clock; a planned outage that has
# started would be announced), 09:00 to 12:00 in Beijing.
OUTAGE_START = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(
    days=1
)
OUTAGE_TIMES = [
    t.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    for t in (OUTAGE_START, OUTAGE_START.replace(hour=4))
]
MONEY = re.compile(r"¥\d{1,3}(,\d{3})*\.\d{2}")
# What the pop shows for the codes it is sent, per language (customer class, payment mode,
# supply status, credit rating, queue, outage kind and status, IVR node).
LABELS = {
    "zh-CN": ["居民", "后付费", "正常供电", "B 级（一般）", "计划停电", "待停电", "电费菜单"],
    "en-US": ["Residential", "Postpaid", "Supplied", "B (fair)", "Planned outage", "Scheduled"],
}
QUEUE_LABELS = {"zh-CN": "电费缴费", "en-US": "Billing"}
CODES = ["residential", "postpaid", "active", "planned", "scheduled", "bill_menu", "main_menu"]
REFUSALS = {
    "en-US": "The wallboard is for supervisors, operators and administrators; "
    "you are signed in as an agent.",
    "zh-CN": "监控大屏仅供值班长、运营和管理员使用；您当前以坐席身份登录。",
}


async def sign_in(page: Any, username: str) -> None:
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#signin-button")


async def check_pop(desk: Any, lang: str, queued_clock: str) -> None:
    """The pop in one language: labels, no codes, local times, money in yuan."""
    pop_text = await desk.text_content("#pop") or ""
    assert await desk.text_content(".customer-name") == MARKUP_NAME
    assert await desk.locator("#pop img").count() == 0
    assert "3300000001" in pop_text and "¥500.00" in pop_text
    assert not re.search(r"(?<!¥)\b500\.00", pop_text)  # every amount carries ¥
    amounts = await money_cells(desk)
    assert len(amounts) == 3 and all(MONEY.fullmatch(text) for text in amounts), amounts
    assert [label for label in LABELS[lang] if label not in pop_text] == []
    assert [code for code in CODES if re.search(rf"\b{code}\b", pop_text)] == []
    heading = "队列" if lang == "zh-CN" else "Queue"
    queue = desk.locator(f".call-head dt:text-is('{heading}') + dd")
    assert await queue.text_content() == QUEUE_LABELS[lang]
    assert [t for t in [*OUTAGE_TIMES, queued_clock] if t not in pop_text] == []
    other = LABELS["en-US" if lang == "zh-CN" else "zh-CN"][1]  # the payment mode
    assert other not in pop_text


async def money_cells(desk: Any) -> list[str]:
    """The texts of the pop's arrears, late fee and total due."""
    cells = desk.locator(".account dd:has-text('¥')")
    return [text.strip() for text in await cells.all_text_contents()]


async def take_call(client: Client, desk: Any, agent_id: int) -> str:
    """Sign in, go ready, a caller reaches the agent: the pop is up; the call's id."""
    await desk.goto(str(client.make_url("/desk")))
    await sign_in(desk, "agent01")
    await desk.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
    assert await desk.text_content("#state") == "未就绪"
    assert "Asia/Shanghai" in (await desk.text_content("#zone") or "")
    await desk.click("#go-ready")
    await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    await caller.press("2")
    assert ">billing</Enqueue>" in await caller.press("0")
    await desk.wait_for_selector("#call:not([hidden]) .customer-name", timeout=5000)
    call_id = (await client.app[ACD].presence(agent_id)).call_id
    assert call_id is not None
    return call_id


async def finish_call(client: Client, desk: Any, call_id: str, agent_id: int) -> None:
    """Accept, the caller's side ends, wrap up as resolved."""
    await desk.click("#accept")
    await desk.wait_for_selector("#state[data-state='on_call']", timeout=5000)
    assert await desk.text_content("#state") == "On call"
    done = f"/twilio/dial-result?call={call_id}&agent={agent_id}&queue=billing"
    await Caller(client).post(done, {"DialCallStatus": "completed", "DialBridged": "true"})
    await desk.wait_for_selector("#wrap-up-form:not([hidden])", timeout=5000)
    assert "Resolved" in await desk.locator("#disposition option").all_text_contents()
    await desk.select_option("#disposition", "resolved")
    await desk.fill("#notes", "解释了违约金")
    # the desk shows ready as soon as the agent is; the record's end is written after that,
    # before the wrap-up request answers: wait for the answer before reading the record
    async with desk.expect_response(lambda r: r.url.endswith("/api/agents/me/wrap-up")) as answer:
        await desk.click("#wrap-up-done")
    assert (await answer.value).ok
    await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)
    record = await client.app[CALLS].get(call_id)
    assert (record.state, record.disposition) == ("ended", "resolved")


async def check_refusal(client: Client, page: Any) -> None:
    """An agent on the wallboard: the refusal in words (the remembered English, then
    Chinese after the switch), and no tables."""
    await page.goto(str(client.make_url("/wallboard")))
    await sign_in(page, "agent01")
    await page.wait_for_selector("#refusal:not([hidden])", timeout=5000)
    assert await page.text_content("#refusal-text") == REFUSALS["en-US"]
    assert await page.locator("#board").is_hidden()
    assert await page.locator("#queues tbody tr").count() == 0
    await page.select_option("#lang", "zh-CN")
    assert await page.text_content("#refusal-text") == REFUSALS["zh-CN"]


async def test_agent_takes_a_call_on_the_desk_and_the_wallboard_shows_it(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
    await add_customer(
        client.app[ENGINE], MARKUP_NAME, [AccountSpec("3300000001", [CALLER], bills=[bill])]
    )
    await add_outage(
        client.app[ENGINE], ["F01-001"], kind="planned", status="scheduled", start=OUTAGE_START
    )
    agent_id = await add_agent(client, "agent01", {"billing": 2, "general": 1})
    await client.app[AUTH].add_user("boss", Role.SUPERVISOR, PASSWORD, "值班长")
    context = await browser.new_context(locale="zh-CN")
    pages = {name: await context.new_page() for name in ("desk", "refused", "wallboard")}
    desk, board = pages["desk"], pages["wallboard"]
    try:
        call_id = await take_call(client, desk, agent_id)
        queued_at = (await client.app[CALLS].get(call_id)).queued_at
        assert queued_at is not None
        queued_clock = queued_at.astimezone(SHANGHAI).strftime("%H:%M:%S")
        assert await desk.text_content("#state") == "振铃中"
        await check_pop(desk, "zh-CN", queued_clock)
        await desk.select_option("#lang", "en-US")
        assert await desk.text_content("#state") == "Offered"
        await check_pop(desk, "en-US", queued_clock)
        assert await desk.evaluate("localStorage.getItem('cc-lang')") == "en-US"
        await finish_call(client, desk, call_id, agent_id)

        await check_refusal(client, pages["refused"])

        await board.goto(str(client.make_url("/wallboard")))
        await sign_in(board, "boss")
        row = board.locator("#queues tr[data-queue='billing'] td")
        await board.wait_for_selector("#queues tr[data-queue='billing']", timeout=5000)
        assert await row.nth(0).text_content() == "电费缴费"  # the switch is remembered
        assert await row.nth(3).text_content() == "1"  # answered
        assert (await row.nth(4).text_content() or "").startswith("100.0%")
        assert await board.locator("#refusal").is_hidden()
    except BaseException:
        await screenshots(request, pages)
        raise
    finally:
        await context.close()
