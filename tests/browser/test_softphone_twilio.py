"""The desk's Twilio softphone in headless Chromium, against a stand-in `Twilio.Device` served
in place of the vendored SDK (fake media): at sign-in the microphone, the preflight with a
voice token, then registration; the token is renewed when the SDK says it will expire; an
incoming leg rings in the page (answer, decline), mutes, sends DTMF, survives a reconnection;
the audio devices can be chosen. Each way the phone fails (microphone refused, token refused
with 409 softphone-not-configured, preflight, registration, unregistered) is said plainly and
takes the agent out of routing: not ready with the reason `device`, checked through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from callcenter.web.keys import ACD
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.browser.conftest import Serve
from tests.browser.softphone_stubs import (  # the phone_browser fixture too
    check_kept_out_of_routing,
    log_of,
    open_desk,
    phone_browser_fixture,  # noqa: F401
    phone_kind,
    phone_status,
    sign_in,
)
from tests.integration.test_voice_token_api import SOFTPHONE

playwright_or_skip()

CALLER = "+8613800138000"


async def go_ready(page: Any) -> None:
    await page.click("#go-ready")
    await page.wait_for_selector("#state[data-state='ready']", timeout=5000)


async def ring_and_talk(page: Any) -> None:
    """A leg rings in the page, the agent answers, mutes, keys DTMF, the network wobbles."""
    await page.evaluate(f"window.__twilio.ring({json.dumps(CALLER)})")
    await phone_status(page, "ringing")
    assert CALLER in (await page.text_content("#phone-from") or "")
    await page.click("#phone-answer")
    await phone_status(page, "in-call")
    await page.click("#phone-mute")
    assert await page.text_content("#phone-mute") == "取消静音"
    for key in ("1", "#"):
        await page.click(f"#phone-keypad button[data-digit='{key}']")
    assert await page.text_content("#phone-digits") == "1#"
    await page.evaluate("window.__twilio.call.emit('reconnecting', {})")
    await phone_status(page, "reconnecting")
    assert await page.locator("#phone-call").is_visible()  # the call is not dropped
    await page.evaluate("window.__twilio.call.emit('reconnected')")
    await phone_status(page, "in-call")
    await page.click("#phone-hang-up")
    await phone_status(page, "ready")


async def test_the_twilio_softphone_registers_rings_and_renews_its_token(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    client, agent_id, page = await open_desk(
        serve, phone_browser, SOFTPHONE, ("twilio_client", "agent01")
    )
    try:
        await sign_in(client, page, "agent01")
        await phone_status(page, "ready")
        assert await phone_kind(page) == "Twilio 网页话机"
        assert await page.get_attribute("#phone-preflight", "data-result") == "passed"
        steps = [entry[0] for entry in await log_of(page, "__twilio")]
        assert steps == ["preflight", "device", "register"]
        token = (await log_of(page, "__twilio"))[0][1]
        assert token.startswith("ey")  # the voice token from the server

        await page.evaluate("window.__twilio.device.emit('tokenWillExpire')")
        await page.wait_for_function(
            "() => window.__twilio.log.some((e) => e[0] === 'updateToken')"
        )
        renewed = [e for e in await log_of(page, "__twilio") if e[0] == "updateToken"]
        assert renewed[0][1].startswith("ey")

        await page.select_option("#phone-input", "usb")
        await page.select_option("#phone-output", "usb-out")
        assert ["input", "usb"] in await log_of(page, "__twilio")
        assert ["output", "usb-out"] in await log_of(page, "__twilio")

        await go_ready(page)
        await ring_and_talk(page)
        await page.evaluate(f"window.__twilio.ring({json.dumps(CALLER)})")
        await phone_status(page, "ringing")
        await page.click("#phone-decline")
        await phone_status(page, "ready")
        calls = [e for e in await log_of(page, "__twilio") if e[0] != "updateToken"][5:]
        assert calls == [
            ["accept"],
            ["mute", True],
            ["digits", "1"],
            ["digits", "#"],
            ["disconnect"],
            ["reject"],
        ]
        assert (await client.app[ACD].presence(agent_id)).state == "ready"
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def refuse_token(page: Any) -> None:
    async def conflict(route: Any) -> None:
        body = {"error": {"code": "softphone-not-configured", "message": "no TwiML App"}}
        await route.fulfill(status=409, json=body)

    await page.route("**/api/agents/me/voice-token", conflict)


@pytest.mark.parametrize(
    ("microphone", "setup", "token", "problem", "words"),
    [
        (False, "", True, "microphone-refused", "麦克风权限被拒绝"),
        (True, "", False, "token-failed", "无法获取话机凭证"),
        (
            True,
            "window.__twilio = {preflightError: 'no media path'};",
            True,
            "preflight-failed",
            "no media path",
        ),
        (
            True,
            "window.__twilio = {registerError: 'signalling refused'};",
            True,
            "registration-failed",
            "话机注册失败",
        ),
    ],
)
async def test_a_twilio_softphone_that_fails_keeps_the_agent_out_of_routing(
    serve: Serve,
    phone_browser: Any,
    request: pytest.FixtureRequest,
    microphone: bool,
    setup: str,
    token: bool,
    problem: str,
    words: str,
) -> None:
    client, agent_id, page = await open_desk(
        serve,
        phone_browser,
        SOFTPHONE,
        ("twilio_client", "agent01"),
        microphone=microphone,
        setup=setup,
    )
    if not token:
        await refuse_token(page)
    try:
        await sign_in(client, page, "agent01")
        await phone_status(page, "failed")
        shown = await page.text_content("#phone-problem") or ""
        assert shown.startswith("话机未就绪") and words in shown
        assert await page.evaluate("PHONE.problem") == problem
        assert await page.locator("#phone-retry").is_visible()
        await check_kept_out_of_routing(client, page, agent_id)
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def test_a_phone_that_unregisters_takes_a_ready_agent_out_of_routing(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    client, agent_id, page = await open_desk(
        serve, phone_browser, SOFTPHONE, ("twilio_client", "agent01")
    )
    try:
        await sign_in(client, page, "agent01")
        await phone_status(page, "ready")
        await go_ready(page)
        await page.evaluate("window.__twilio.device.emit('unregistered')")
        await phone_status(page, "failed")
        assert "话机已断开" in (await page.text_content("#phone-problem") or "")
        await page.wait_for_selector("#state[data-state='not_ready']", timeout=5000)
        presence = await client.app[ACD].presence(agent_id)
        assert (presence.state, presence.reason) == ("not_ready", "device")
        await page.select_option("#lang", "en-US")
        assert (await page.text_content("#phone-problem") or "").startswith(
            "Your phone is not ready"
        )
        assert await page.text_content("#reason") == "(Phone not ready)"
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def test_without_twilio_settings_the_desk_says_there_is_no_browser_phone(
    serve: Serve, phone_browser: Any
) -> None:
    client, agent_id, page = await open_desk(serve, phone_browser, {}, ("twilio_client", "a1"))
    await sign_in(client, page, "agent01")
    await phone_status(page, "unconfigured")
    assert "未配置网页话机" in (await page.text_content("#phone-problem") or "")
    await go_ready(page)  # not held against the agent (the demo's simulated calls)
    assert (await client.app[ACD].presence(agent_id)).state == "ready"


async def test_a_phone_failing_during_a_call_keeps_the_calls_buttons(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    client, _, page = await open_desk(serve, phone_browser, SOFTPHONE, ("twilio_client", "a1"))
    try:
        await sign_in(client, page, "agent01")
        await phone_status(page, "ready")
        await page.evaluate(f"window.__twilio.ring({json.dumps(CALLER)})")
        await page.click("#phone-answer")
        await phone_status(page, "in-call")
        expired = "{code: 20104, message: 'Access Token expired'}"
        await page.evaluate(f"window.__twilio.device.emit('error', {expired})")
        await phone_status(page, "failed")
        assert await page.evaluate("PHONE.problem") == "token-failed"
        assert await page.locator("#phone-call").is_visible()  # still hang up, mute, keys
        assert await page.locator("#phone-retry").is_hidden()  # a retry would drop the call
        await page.click("#phone-hang-up")
        await page.wait_for_selector("#phone-call", state="hidden", timeout=5000)
        assert ["disconnect"] in await log_of(page, "__twilio")
        assert await page.evaluate("[PHONE.status, PHONE.problem]") == ["failed", "token-failed"]
    except BaseException:
        await screenshots(request, {"desk": page})
        raise
