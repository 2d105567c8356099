"""The desk's translations (agents/static/i18n.js) in a real browser: money as ¥ with two
decimals, times in the server's time zone, a label in both languages for every code the
server can send, no page text left as a key, and the page language chosen from the
browser's choice, the agent's languages and the browser's Accept-Language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from agents.models import AgentState, NotReadyReason
from callcenter.calls.models import CallState, Direction
from callcenter.config import load_settings
from callcenter.core.api import Role
from callcenter.customers.models import (
    AccountStatus,
    AreaClass,
    CustomerClass,
    ImportantGrade,
    PaymentMode,
    VulnerableFlag,
    credit_rating,
)
from callcenter.storage.customers import OPEN_OUTAGE_STATUSES
from callcenter.storage.demo_data import demo_outages
from callcenter.storage.tables import agents
from callcenter.tickets.models import TicketStatus, TicketType
from callcenter.web.keys import ACD, ENGINE
from ivr_flows.loader import default_flow_files, load_flows
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.integration.test_agent_desk import PASSWORD, add_agent

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
LANGUAGES = ["zh-CN", "en-US"]
ENTRY_FLOW = load_flows(default_flow_files())["95598"]
CODES: dict[str, list[str]] = {
    "state": list(AgentState),
    "reason": list(NotReadyReason),
    "customer_class": list(CustomerClass),
    "important_grade": list(ImportantGrade),
    "payment_mode": list(PaymentMode),
    "credit_rating": sorted({credit_rating(score) for score in range(101)}),
    "vulnerable": list(VulnerableFlag),
    "account_status": list(AccountStatus),
    "area_class": list(AreaClass),
    "outage_kind": sorted({str(o["kind"]) for o, _ in demo_outages(datetime.now(UTC))}),
    "outage_status": list(OPEN_OUTAGE_STATUSES),
    "ticket_type": list(TicketType),
    "ticket_status": list(TicketStatus),
    "direction": list(Direction),
    "call_state": list(CallState),
    "queue": [q.name for q in load_settings(None, {}).routing.queues],
    "role": list(Role),
    "role_as": list(Role),
    "ivr_node": list(ENTRY_FLOW.nodes),
}
MONEY = [
    ("500", "¥500.00"),
    ("500.00", "¥500.00"),
    ("1234.5", "¥1,234.50"),
    ("1234567.891", "¥1,234,567.89"),
    ("12.345", "¥12.35"),
    ("0.004", "¥0.00"),
    ("-12.5", "-¥12.50"),
    ("-0.001", "¥0.00"),
    (" 7.1 ", "¥7.10"),
    ("abc", "abc"),
    ("", ""),
    (None, ""),
]
AT = "2026-03-10T16:30:05.123456+00:00"
TIMES = {  # the server's zone → what the page shows for AT (date and time; clock)
    "Asia/Shanghai": ["2026-03-11 00:30", "00:30:05"],
    "America/New_York": ["2026-03-10 12:30", "12:30:05"],
}
UNTRANSLATED = """() => [
  ...[...document.querySelectorAll("[data-i18n]")]
    .filter((el) => !el.textContent || el.textContent === el.dataset.i18n)
    .map((el) => el.dataset.i18n),
  ...[...document.querySelectorAll("[data-label]")]
    .filter((el) => el.textContent === el.value).map((el) => el.value),
]"""


async def open_page(client: Client, browser: Any, path: str, locale: str = "zh-CN") -> Any:
    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    await page.goto(str(client.make_url(path)))
    return page


async def test_every_code_has_a_label_in_both_languages(client: Client, browser: Any) -> None:
    page = await open_page(client, browser, "/desk")
    for lang in LANGUAGES:
        missing = await page.evaluate(
            """([lang, codes]) => { I18N.setLang(lang, false);
              return Object.entries(codes).flatMap(([kind, list]) =>
                list.filter((c) => I18N.label(kind, c) === c).map((c) => kind + ":" + c)); }""",
            [lang, CODES],
        )
        assert missing == [], lang
    assert await page.evaluate("I18N.label('queue', 'no-such-queue')") == "no-such-queue"


@pytest.mark.parametrize("path", ["/desk", "/wallboard"])
@pytest.mark.parametrize("lang", LANGUAGES)
async def test_no_page_text_is_left_as_a_key(
    client: Client, browser: Any, path: str, lang: str
) -> None:
    page = await open_page(client, browser, path)
    await page.select_option("#lang", lang)
    assert await page.evaluate("document.documentElement.lang") == lang
    assert await page.evaluate(UNTRANSLATED) == []


async def test_money_in_yuan_with_two_decimals(client: Client, browser: Any) -> None:
    page = await open_page(client, browser, "/desk")
    for lang in LANGUAGES:
        shown = await page.evaluate(
            "([lang, values]) => { I18N.setLang(lang, false); return values.map(I18N.money); }",
            [lang, [value for value, _ in MONEY]],
        )
        assert shown == [expected for _, expected in MONEY], lang


@pytest.mark.parametrize("zone", list(TIMES))
async def test_times_in_the_server_time_zone(serve: Any, browser: Any, zone: str) -> None:
    client = await serve(CALLCENTER_SERVER__TIMEZONE=zone)
    page = await open_page(client, browser, "/desk", locale="en-US")
    at_ms = int(datetime.fromisoformat(AT).timestamp() * 1000)
    shown = await page.evaluate(
        "([at, ms]) => [I18N.time(at), I18N.clock(at), I18N.time(ms), I18N.time('soon')]",
        [AT, at_ms],
    )
    assert shown == [*TIMES[zone], TIMES[zone][0], "soon"]
    assert zone in (await page.text_content("#zone") or "")


async def test_the_desk_speaks_the_agents_language_until_the_browser_chooses(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    agent_id = await add_agent(client, "agent07", {"english": 1})
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(agents).where(agents.c.user_id == agent_id).values(languages="en-US")
        )
    await client.app[ACD].refresh_agents()
    page = await open_page(client, browser, "/desk", locale="zh-CN")
    try:
        assert await page.text_content("#signin-button") == "登录"  # Accept-Language
        await page.fill("#username", "agent07")
        await page.fill("#password", PASSWORD)
        await page.click("#signin-button")
        await page.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        assert await page.text_content("#state") == "Not ready"  # the agent's language
        await page.select_option("#lang", "zh-CN")
        await page.reload()
        await page.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        assert await page.text_content("#state") == "未就绪"  # the browser's choice
    except BaseException:
        await screenshots(request, {"desk": page})
        raise
