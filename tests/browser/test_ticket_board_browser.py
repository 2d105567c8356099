"""The supervisors' ticket board in a real browser (Debian's Chromium driven by Playwright):
a supervisor signs in, sees the overdue ticket first with its countdown in red, the SLA
badges, escalation and urges, the SLA tiles; filters by type, overdue and text; opens a
ticket's history; switches to English; then sees the same tiles on the wallboard. An agent
is refused in words and by the API. Screenshots are kept on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.tickets.models import IVR_ACTOR, Actor, NewTicket, TicketType
from callcenter.web.keys import AUTH, TICKETS
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.browser.test_i18n_browser import UNTRANSLATED
from tests.conftest import NOW, app_settings
from tests.integration.test_agent_desk import FakeTwilioRest

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
SWEEP = Actor("sla-sweep", "system")
ROWS = "#tickets tbody tr[data-ticket]"
REFUSED = "The ticket board is for supervisors and administrators; you are signed in as an agent."


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[TestServer], Awaitable[Client]], tmp_path: Path, clock: ManualClock
) -> Client:
    settings = app_settings(
        (f"sqlite+aiosqlite:///{tmp_path / 'board.db'}", "memory://"),
        CALLCENTER_ROUTING__RUN_ROUTER="false",
    )
    app = create_app(settings, clock=clock, twilio_rest=FakeTwilioRest())
    return await aiohttp_client(TestServer(app))


async def seed(client: Client, clock: ManualClock) -> dict[str, str]:
    """A consultation opened first (due at the end of the next working day), then a
    complaint at 80 % for team north, contacted; the consultation is a day overdue,
    escalated once and urged twice."""
    user = await client.app[AUTH].add_user("boss", Role.SUPERVISOR, "pw-boss-123456", "值班长")
    _, secret = await client.app[AUTH].create_token(Role.SUPERVISOR, "test", user.id)
    auth = {"Authorization": f"Bearer {secret}"}
    ids = {}
    for key, body in {
        "consultation": {"type": "consultation", "summary": "电价咨询", "area": "上城区"},
        "complaint": {"type": "complaint", "summary": "服务态度差", "area": "西湖区"},
    }.items():
        resp = await client.post("/api/tickets", json=body, headers=auth)
        assert resp.status == 201, await resp.text()
        ids[key] = (await resp.json())["id"]
        clock.advance(timedelta(hours=1))
    resp = await client.patch(  # contacted: now held to its answer in 4 working days
        f"/api/tickets/{ids['complaint']}",
        json={"assignee_team": "north", "status": "accepted"},
        headers=auth,
    )
    assert resp.status == 200
    service = client.app[TICKETS]
    await service.record(ids["complaint"], "warned", SWEEP, {}, sla_state="warn80")
    await service.record(ids["consultation"], "breached", SWEEP, {}, sla_state="breached")
    await service.record(ids["consultation"], "escalated", SWEEP, {}, escalation_level=1)
    for _ in range(2):
        await service.record(ids["consultation"], "urge", IVR_ACTOR, {}, urged=True)
    # the consultation is due at the end of its working day (NOW + 38 h), the complaint's
    # answer at the end of the 4th working day after its opening (NOW + 4 d 14 h)
    clock.advance(timedelta(hours=60))
    return {key: str(value) for key, value in ids.items()}


async def sign_in(page: Any, client: Client, username: str, password: str) -> None:
    """Open the board and sign in."""
    await page.goto(str(client.make_url("/tickets/board")))
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#signin-button")


async def check_board(page: Any, ids: dict[str, str]) -> None:
    await page.wait_for_selector(ROWS, timeout=5000)
    assert [await r.get_attribute("data-ticket") for r in await page.locator(ROWS).all()] == [
        ids["consultation"],
        ids["complaint"],
    ]  # overdue first, though opened first
    late = page.locator(f"tr[data-ticket='{ids['consultation']}'] td.timer")
    assert "late" in (await late.get_attribute("class") or "")
    assert (await late.text_content() or "").startswith("已超时 1天 00:0")
    complaint = page.locator(f"tr[data-ticket='{ids['complaint']}']")
    assert (await complaint.locator("td.timer").text_content() or "").startswith(
        "剩余 3天 23:5"
    )  # and ticking
    assert await complaint.locator(".badge").text_content() == "预警 80%"
    assert await complaint.locator(".badge").get_attribute("data-sla") == "warn80"
    consultation = page.locator(f"tr[data-ticket='{ids['consultation']}']")
    assert await consultation.locator(".badge").text_content() == "已超期"
    assert await consultation.locator("td.escalation").text_content() == "1 级"
    assert await consultation.locator("td.urges").text_content() == "2"
    tiles = {
        kind: await page.text_content(f"#sla-tiles .tile[data-tile='{kind}'] .n")
        for kind in ("open", "warned", "breached", "overdue", "escalated")
    }
    assert tiles == {"open": "2", "warned": "1", "breached": "1", "overdue": "1", "escalated": "1"}
    teams = page.locator("#sla-teams tbody tr")
    assert [await t.get_attribute("data-team") for t in await teams.all()] == ["north", ""]
    assert await teams.nth(0).locator("td[data-tile='warned']").text_content() == "1"
    assert await teams.nth(1).locator("td").first.text_content() == "未分配班组"


async def filter_rows(page: Any, expected: list[str]) -> None:
    """Apply the filters and wait for exactly the `expected` rows, in order."""
    await page.click("#f-apply")
    await page.wait_for_function(
        """([sel, ids]) => JSON.stringify([...document.querySelectorAll(sel)]
             .map((tr) => tr.dataset.ticket)) === JSON.stringify(ids)""",
        arg=[ROWS, expected],
        timeout=5000,
    )
    if not expected:
        assert await page.locator("#tickets tbody tr.empty").count() == 1


async def check_filters(page: Any, ids: dict[str, str]) -> None:
    await page.select_option("#f-type", "complaint")
    await filter_rows(page, [ids["complaint"]])
    await page.click("#f-clear")
    await page.check("#f-overdue")
    await filter_rows(page, [ids["consultation"]])
    await page.uncheck("#f-overdue")
    await page.fill("#f-text", "态度")
    await filter_rows(page, [ids["complaint"]])
    await page.fill("#f-text", "")
    await page.fill("#f-team", "north")
    await filter_rows(page, [ids["complaint"]])
    await page.fill("#f-team", "")
    await filter_rows(page, [ids["consultation"], ids["complaint"]])
    await page.click("#sla-teams tr[data-team='north']")  # a team of the summary
    await page.wait_for_function(
        "sel => document.querySelectorAll(sel).length === 1", arg=ROWS, timeout=5000
    )
    assert await page.input_value("#f-team") == "north"
    await page.fill("#f-team", "")
    await page.fill("#f-area", "上城区")
    await filter_rows(page, [ids["consultation"]])
    await page.fill("#f-area", "")
    await page.fill("#f-from", "2026-03-10")  # the day both were opened (Beijing)
    await filter_rows(page, [ids["consultation"], ids["complaint"]])
    await page.fill("#f-from", "")
    await page.fill("#f-to", "2026-03-09")  # created before the tickets: none
    await filter_rows(page, [])
    await page.click("#f-clear")
    await filter_rows(page, [ids["consultation"], ids["complaint"]])


async def check_detail(page: Any, ids: dict[str, str]) -> None:
    await page.click(f"tr[data-ticket='{ids['consultation']}'] td:first-child")
    await page.wait_for_selector("#detail:not([hidden]) tr[data-event='urge']", timeout=5000)
    assert await page.text_content("#detail-summary") == "电价咨询"
    created = page.locator("#detail-events tr[data-event='created'] td")
    assert await created.nth(2).text_content() == "boss (值班长)"
    assert await page.locator("#detail-events tr[data-event='urge']").count() == 2


async def test_a_supervisor_works_the_ticket_board(
    client: Client, clock: ManualClock, browser: Any, request: pytest.FixtureRequest
) -> None:
    ids = await seed(client, clock)
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    try:
        await sign_in(page, client, "boss", "pw-boss-123456")
        assert await page.title() == "工单监控看板"
        await check_board(page, ids)
        await check_filters(page, ids)
        await check_detail(page, ids)
        await page.select_option("#lang", "en-US")
        assert await page.text_content("h1") == "Ticket board"
        late = f"tr[data-ticket='{ids['consultation']}'] td.timer"
        await page.wait_for_function(
            "sel => document.querySelector(sel).textContent.startsWith('overdue by 1 d 00:0')",
            arg=late,
            timeout=5000,
        )
        badge = f"tr[data-ticket='{ids['complaint']}'] .badge"
        assert await page.text_content(badge) == "80 % warning"
        await page.goto(str(client.make_url("/wallboard")))
        await page.wait_for_selector("#sla-section:not([hidden]) .tile", timeout=5000)
        assert await page.text_content("#sla-section .tile[data-tile='warned'] .n") == "1"
        assert await page.text_content("#sla-section .tile[data-tile='overdue'] .n") == "1"
        assert await page.text_content("#sla-section h2") == "Ticket SLAs"
    except BaseException:
        await screenshots(request, {"board": page})
        raise
    finally:
        await context.close()


async def test_an_agent_is_refused_by_the_board_and_the_api(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    user = await client.app[AUTH].add_user("agent01", Role.AGENT, "pw-agent-12345", "坐席")
    _, secret = await client.app[AUTH].create_token(Role.AGENT, "test", user.id)
    resp = await client.get(
        "/api/tickets/sla-summary", headers={"Authorization": f"Bearer {secret}"}
    )
    assert resp.status == 403
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    try:
        await sign_in(page, client, "agent01", "pw-agent-12345")
        await page.wait_for_selector("#refusal:not([hidden])", timeout=5000)
        assert await page.text_content("#refusal-text") == REFUSED
        assert await page.locator("#board").is_hidden()
    except BaseException:
        await screenshots(request, {"refused": page})
        raise
    finally:
        await context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
async def test_no_board_text_is_left_as_a_key(client: Client, browser: Any, lang: str) -> None:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.goto(str(client.make_url("/tickets/board")))
    await page.select_option("#lang", lang)
    assert await page.evaluate(UNTRANSLATED) == []
    assert await page.locator("#board").is_hidden()  # until signed in
    await context.close()


async def test_the_board_pages_by_twenty(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    user = await client.app[AUTH].add_user("boss", Role.SUPERVISOR, "pw-boss-123456", "值班长")
    for n in range(21):
        summary = f"表扬 {n}"
        await client.app[TICKETS].open(NewTicket(TicketType.PRAISE, summary, user.username))
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    try:
        await sign_in(page, client, "boss", "pw-boss-123456")
        await page.wait_for_selector(ROWS, timeout=5000)
        assert await page.locator(ROWS).count() == 20
        assert await page.text_content("#page-info") == "Page 1 of 2, 21 tickets"
        assert await page.is_disabled("#prev")
        await page.click("#next")
        await page.wait_for_function(
            "sel => document.querySelectorAll(sel).length === 1", arg=ROWS, timeout=5000
        )
        assert await page.text_content("#page-info") == "Page 2 of 2, 21 tickets"
        assert await page.is_disabled("#next")
    except BaseException:
        await screenshots(request, {"pages": page})
        raise
    finally:
        await context.close()
