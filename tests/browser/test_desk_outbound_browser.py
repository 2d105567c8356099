"""An outbound campaign call on the desk in a real browser: an offer whose pop was built for
an arrears-reminder attempt is published to the agent's desk (as the ACD publishes offers);
the campaign block (campaign, reason for the call, script, values) shows above the profile
in Chinese and, after the switch, in English; once connected, the agent records a promise
to pay through the form and the promise is in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from agents.models import RoutedCall
from callcenter.callflow.acd import ProfilePops
from callcenter.calls.models import Direction
from callcenter.campaigns.desk_wiring import campaign_pops
from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys
from callcenter.storage.outbound_tables import campaign_attempts, promises
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND, PROFILES, REDIS, SETTINGS
from outbound.models import (
    CampaignMode,
    CampaignState,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.browser.test_desk_browser import sign_in
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.outbound_helpers import stores
from tests.integration.test_agent_desk import add_agent

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
PHONE = "+8613900000201"
PREVIEW = CampaignMode.PREVIEW
BEIJING = ZoneInfo("Asia/Shanghai")
REASONS = {
    "zh-CN": ("欠费提醒：自", "起欠费 356.20 元", "外呼事由", "欠费催交"),
    "en-US": (
        "Arrears reminder: 356.20 yuan overdue since",
        "late fee to date",
        "Reason for the call",
        "Arrears reminder",
    ),
}


async def campaign_call(client: Client, agent_id: int) -> tuple[str, dict[str, Any]]:
    """A running arrears-reminder campaign with one target (356.20 yuan 60 days overdue),
    its attempt placed on an outbound call reserved for the agent: (call id, the pop)."""
    app = client.app
    now = datetime.now(UTC)
    due = (now - timedelta(days=60)).astimezone(BEIJING).date()
    bill = BillSpec("2026-09", "356.20", due)
    await add_customer(app[ENGINE], "李华", [AccountSpec("3300000201", [PHONE], bills=[bill])])
    s = stores(app[ENGINE])
    query = TargetQuery(TargetQueryKind.ARREARS_OVER, "30")
    new = NewCampaign("十二月催费", CampaignType.ARREARS_REMINDER, GatewayKind.SIMULATED, query)
    campaign_id = (await s.campaigns.create(new, now)).campaign.id
    assert await s.targets.build(campaign_id, query, now) == 1
    await s.campaigns.set_state(campaign_id, CampaignState.RUNNING, [CampaignState.DRAFT], now)
    call = await app[CALLS].start(Direction.OUTBOUND, "+8657195598", PHONE)
    A = campaign_attempts
    async with app[ENGINE].begin() as conn:
        target_id = (await conn.execute(select(A.c.target_id))).scalar_one()
        await conn.execute(update(A).values(state="placed", call_id=call.id, agent_id=agent_id))
    routed = RoutedCall(queue="billing", agent_id=agent_id, attempt=f"{campaign_id}:{target_id}:1")
    pops = ProfilePops(app[PROFILES], app[CALLS], campaign_pops(app[ENGINE]))
    return call.id, (await pops.build(call.id, routed)).to_json()


async def check_block(desk: Any, lang: str) -> None:
    block = await desk.text_content("#pop .campaign") or ""
    assert [part for part in REASONS[lang] if part not in block] == [], block
    assert "十二月催费" in block and "¥356.20" in block
    assert await desk.text_content(".customer-name") == "李华"


async def test_the_agent_sees_the_campaign_and_records_a_promise_to_pay(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    agent_id = await add_agent(client, "agent01", {"billing": 2})
    call_id, pop = await campaign_call(client, agent_id)
    assert pop["campaign"]["reason"]["en-US"].startswith("Arrears reminder: 356.20 yuan")
    keys = Keys(client.app[SETTINGS].redis.key_prefix)
    state = RedisRoutingState(client.app[REDIS], keys)
    context = await browser.new_context(locale="zh-CN")
    desk = await context.new_page()
    try:
        await desk.goto(str(client.make_url("/desk")))
        await sign_in(desk, "agent01")
        await desk.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        offer = {"type": "offer", "call_id": call_id, "deadline_ms": 0, "pop": pop}
        await state.publish(agent_id, offer)
        await desk.wait_for_selector("#pop .campaign", timeout=5000)
        await check_block(desk, "zh-CN")
        assert await desk.locator("#campaign-form").is_hidden()  # not before the answer
        await desk.select_option("#lang", "en-US")
        await check_block(desk, "en-US")
        await state.publish(agent_id, {"type": "connected", "call_id": call_id})
        await desk.wait_for_selector("#campaign-form:not([hidden])", timeout=5000)
        options = await desk.locator("#campaign-disposition option").all_text_contents()
        assert options == ["Promise to pay", "Already paid", "Wrong number", "Refused", "Call back"]
        promised = (datetime.now(BEIJING) + timedelta(days=3)).date()
        await desk.select_option("#campaign-disposition", "promise-to-pay")
        await desk.fill("#promise-date", promised.isoformat())
        await desk.fill("#promise-amount", "200")
        await desk.click("#campaign-save")
        await desk.wait_for_selector(
            "#campaign-result[data-disposition='promise-to-pay']", timeout=5000
        )
        assert await desk.text_content("#campaign-result") == "Recorded: Promise to pay"
        async with client.app[ENGINE].connect() as conn:
            row = (await conn.execute(select(promises))).one()
        assert (row.status, str(row.amount), row.promised_for, row.agent_id) == (
            "open", "200.00", promised, agent_id,
        )  # fmt: skip
    except BaseException:
        await screenshots(request, {"desk": desk})
        raise
    finally:
        await context.close()


async def test_a_previewed_record_is_skipped_from_the_desk(
    client: Client, browser: Any, request: pytest.FixtureRequest
) -> None:
    app = client.app
    now = datetime.now(UTC)
    await add_agent(client, "agent01", {"billing": 2})
    due = (now - timedelta(days=60)).astimezone(BEIJING).date()
    bill = BillSpec("2026-09", "356.20", due)
    await add_customer(app[ENGINE], "李华", [AccountSpec("3300000201", [PHONE], bills=[bill])])
    outbound = app[OUTBOUND]
    query = TargetQuery(TargetQueryKind.ARREARS_OVER, "30")
    new = NewCampaign(
        "预览催费", CampaignType.ARREARS_REMINDER, GatewayKind.SIMULATED, query, mode=PREVIEW
    )
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    context = await browser.new_context(locale="en-US")
    desk = await context.new_page()
    try:
        await desk.goto(str(client.make_url("/desk")))
        await sign_in(desk, "agent01")
        await desk.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        await desk.click("#go-ready")
        await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)
        dialer = await outbound.dialer(campaign_id)
        morning = (now + timedelta(days=1)).replace(hour=2, minute=0)  # 10:00 in Beijing
        assert (await dialer.round(morning)).held == 1  # then the router reserves us

        await desk.wait_for_selector("#preview-actions:not([hidden])", timeout=5000)
        assert await desk.locator("#answer-actions").is_hidden()  # dial or skip, not accept
        assert "预览外呼" in (await desk.text_content("#pop .campaign") or "")  # the agent's zh-CN
        await desk.fill("#skip-reason", "customer moved away")
        await desk.click("#preview-skip")
        await desk.wait_for_selector("#state[data-state='ready']", timeout=5000)

        counts = await outbound.stores.attempts.counts(campaign_id, datetime.now(UTC))
        assert counts.results == {"skipped": 1}
        assert outbound.gateways.simulated.calls == []  # never dialled
    except BaseException:
        await screenshots(request, {"desk": desk})
        raise
    finally:
        await context.close()
