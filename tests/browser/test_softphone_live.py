"""The desk's live-call controls in headless Chromium: an agent takes a real (signed Twilio)
call, and the buttons call the live-call routes (stood in for by route interception where the
branch has none): hold / resume, consult an agent or a queue then conference, complete or
cancel, pause / resume the recording; the controls follow the live state the server pushes on
the desk socket (published as the app publishes), a refusal shows its message, and a consulted
agent sees who asks with the caller's pop until the consultation ends."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from callcenter.state.acd import RedisRoutingState
from callcenter.state.keys import Keys
from callcenter.web.keys import ENGINE, REDIS, SETTINGS
from tests.adapters.test_twilio_webhooks import CALLER
from tests.browser.chromium import screenshots
from tests.browser.conftest import Client
from tests.browser.softphone_stubs import (
    phone_browser_fixture,  # noqa: F401
    sign_in,
)
from tests.browser.test_desk_browser import MARKUP_NAME, take_call
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.integration.test_agent_desk import add_agent

CONSULTED = {"agent_id": 7, "status": "ringing", "queue": None}
# What each stood-in route does to the live state; complete answers 409 once.
CHANGES: dict[str, dict[str, Any]] = {
    "/hold": {"held": True},
    "/resume": {"held": False},
    "/consult": {"held": True, "consult": CONSULTED},
    "/consult/conference": {"consult": {**CONSULTED, "status": "conference"}},
    "/consult/cancel": {"held": False, "consult": None},
    "/recording/pause": {"recording": "paused"},
    "/recording/resume": {"recording": "recording"},
}
NOT_ANSWERED = {"error": {"code": "consult-not-answered", "message": "坐席 7 尚未接听"}}


class LiveRoutes:
    """The lead's live-call routes, stood in for: each request is kept, each answer is the
    live state after it."""

    def __init__(self, call_id: str, agent_id: int) -> None:
        self.state: dict[str, Any] = {
            "call_id": call_id,
            "agent_id": agent_id,
            "held": False,
            "consult": None,
            "recording": "recording",
        }
        self.requests: list[tuple[str, Any]] = []

    async def handle(self, route: Any) -> None:
        request = route.request
        path = request.url.split("/api/agents/me/call", 1)[1]
        body = json.loads(request.post_data) if request.post_data else None
        if request.method == "POST":  # the desk also reads the state (GET) when it likes
            self.requests.append((path, body))
        if path == "/consult/complete":
            await route.fulfill(status=409, json=NOT_ANSWERED)
            return
        self.state.update(CHANGES.get(path, {}))
        await route.fulfill(json=self.state)


async def talk(client: Client, page: Any, agent_id: int) -> str:
    """A known caller reaches the agent (the desk test's way), who accepts: the call's id."""
    bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
    account = AccountSpec("3300000001", [CALLER], bills=[bill])
    await add_customer(client.app[ENGINE], MARKUP_NAME, [account])
    call_id = await take_call(client, page, agent_id)
    await page.click("#accept")
    await page.wait_for_selector("#state[data-state='on_call']", timeout=5000)
    return call_id


async def push(client: Client, agent_id: int, message: dict[str, Any]) -> None:
    """A desk message for the agent, published as the app publishes them."""
    state = RedisRoutingState(client.app[REDIS], Keys(client.app[SETTINGS].redis.key_prefix))
    await state.publish(agent_id, message)


async def visible(page: Any, *ids: str) -> list[bool]:
    return [await page.locator(f"#{i}").is_visible() for i in ids]


async def consult_and_back(client: Client, page: Any, live: LiveRoutes, agent_id: int) -> None:
    """Consult agent 7 (ringing: no completing yet), it answers (pushed), conference, a
    refused completion, cancel; then consult the billing queue's next agent."""
    await page.fill("#consult-agent", "7")
    await page.click("#consult-start")
    await page.wait_for_selector("#consult-actions:not([hidden])", timeout=5000)
    assert await page.is_disabled("#consult-complete")
    await push(
        client,
        agent_id,
        {"type": "live", **live.state, "consult": {**CONSULTED, "status": "talking"}},
    )
    await page.wait_for_selector("#consult-complete:enabled", timeout=5000)
    assert await page.text_content("#consult-line") == "咨询坐席 7（通话中）"
    await page.click("#consult-conference")
    await page.wait_for_selector("#consult-conference:disabled", timeout=5000)
    await page.click("#consult-complete")
    await page.wait_for_selector("#notice:text('坐席 7 尚未接听')", timeout=5000)
    await page.click("#consult-cancel")
    await page.wait_for_selector("#consult-form:not([hidden])", timeout=5000)
    await page.fill("#consult-agent", "")
    await page.select_option("#consult-queue", "billing")
    await page.click("#consult-start")
    await page.wait_for_selector("#consult-actions:not([hidden])", timeout=5000)


async def test_the_live_call_buttons_call_their_routes(
    client: Client, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    agent_id = await add_agent(client, "agent01", {"billing": 2})
    page = await phone_browser(True)
    try:
        call_id = await talk(client, page, agent_id)
        assert await page.get_attribute("#phone-status", "data-status") == "unconfigured"
        live = LiveRoutes(call_id, agent_id)
        await page.route("**/api/agents/me/call**", live.handle)
        await push(client, agent_id, {"type": "live", **live.state})
        await page.wait_for_selector("#live:not([hidden])", timeout=5000)
        assert await page.text_content("#recording-state") == "录音中"
        await page.click("#live-hold")
        await page.wait_for_selector("#live-resume:not([hidden])", timeout=5000)
        assert await visible(page, "live-hold", "live-held") == [False, True]
        await page.click("#live-resume")
        await page.wait_for_selector("#live-hold:not([hidden])", timeout=5000)
        await page.click("#recording-pause")
        await page.wait_for_selector("#recording-resume:not([hidden])", timeout=5000)
        await page.click("#recording-resume")
        await page.wait_for_selector("#recording-pause:not([hidden])", timeout=5000)
        await consult_and_back(client, page, live, agent_id)
        assert live.requests == [
            ("/hold", None),
            ("/resume", None),
            ("/recording/pause", None),
            ("/recording/resume", None),
            ("/consult", {"agent_id": 7}),
            ("/consult/conference", None),
            ("/consult/complete", None),
            ("/consult/cancel", None),
            ("/consult", {"queue": "billing"}),
        ]
        await page.select_option("#lang", "en-US")
        assert await page.text_content("#consult-line") == "Consulting agent 7 (ringing)"
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def test_a_consulted_agent_sees_who_asks_with_the_callers_pop(
    client: Client, phone_browser: Any
) -> None:
    agent_id = await add_agent(client, "agent02", {"billing": 2})
    page = await phone_browser(True)
    await sign_in(client, page, "agent02")
    pop = {"call_id": "C9", "queue": "billing", "customers": []}
    offer = {"type": "consult_offer", "call_id": "C9", "from_agent_id": 9, "pop": pop}
    await push(client, agent_id, offer)
    await page.wait_for_selector("#consult-offer:not([hidden])", timeout=5000)
    assert await page.text_content("#consult-offer-from") == "坐席 9 请求咨询"
    assert "未识别的来电" in (await page.text_content("#consult-pop") or "")
    await push(client, agent_id, {"type": "consult_ended", "call_id": "C9"})
    await page.wait_for_selector("#consult-offer", state="hidden", timeout=5000)
    assert await page.text_content("#notice") == "咨询已结束"
