"""The desk's WebRTC softphone (a `webrtc` device on Asterisk) in headless Chromium, against a
stand-in JsSIP served in place of the vendored library (fake media): the agent types the SIP
password in the phone panel (kept in sessionStorage only), the user agent registers over the
configured WSS URL as the endpoint's SIP URI after an ICE-gathering preflight; an incoming
session rings (answer with audio, decline with 486), mutes, sends DTMF, shows a WebSocket
reconnection without dropping the call; a refused password asks again; a preflight that
gathers no ICE candidate fails and keeps the agent out of routing. SIP and phone devices show
which kind rings, and nothing else runs."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.web.keys import ACD
from tests.browser.chromium import playwright_or_skip, screenshots
from tests.browser.conftest import Serve
from tests.browser.softphone_stubs import (  # the phone_browser fixture too
    NO_ICE,
    check_kept_out_of_routing,
    log_of,
    open_desk,
    phone_browser_fixture,  # noqa: F401
    phone_kind,
    phone_status,
    sign_in,
)

playwright_or_skip()

WEBRTC = {
    "CALLCENTER_ASTERISK__WEBRTC_WS_URL": "wss://pbx.example.net:8089/ws",
    "CALLCENTER_ASTERISK__WEBRTC_DOMAIN": "pbx.example.net",
}
SECRET = "s3cret-2001"


async def type_password(page: Any, password: str) -> None:
    await phone_status(page, "needs-password")
    await page.fill("#phone-password", password)
    await page.click("#phone-register")


async def talk(page: Any) -> list[list[Any]]:
    """Ring, answer, mute, DTMF, a WebSocket reconnection, hang up; ring, decline."""
    await page.evaluate("window.__jssip.ring('8613800138000')")
    await phone_status(page, "ringing")
    await page.click("#phone-answer")
    await phone_status(page, "in-call")
    await page.click("#phone-mute")
    await page.click("#phone-mute")
    await page.click("#phone-keypad button[data-digit='5']")
    await page.evaluate("window.__jssip.ua.emit('disconnected', {})")
    await phone_status(page, "reconnecting")
    assert await page.locator("#phone-call").is_visible()
    await page.evaluate("window.__jssip.ua.emit('connected', {})")
    await phone_status(page, "in-call")
    await page.evaluate("window.__jssip.ua.emit('registered', {})")  # JsSIP registers again
    await phone_status(page, "in-call")
    await page.click("#phone-hang-up")
    await phone_status(page, "ready")
    await page.evaluate("window.__jssip.ring('8613800138000')")
    await phone_status(page, "ringing")
    await page.click("#phone-decline")
    await phone_status(page, "ready")
    return [e for e in await log_of(page, "__jssip") if e[0] not in ("ua", "start")]


async def test_the_webrtc_softphone_registers_with_the_typed_password_and_rings(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    client, agent_id, page = await open_desk(serve, phone_browser, WEBRTC, ("webrtc", "2001"))
    try:
        await sign_in(client, page, "agent01")
        assert await phone_kind(page) == "WebRTC 网页话机"
        await phone_status(page, "needs-password")  # after the preflight
        assert await page.get_attribute("#phone-preflight", "data-result") == "passed"
        await type_password(page, SECRET)
        await phone_status(page, "ready")
        assert (await log_of(page, "__jssip"))[0] == [
            "ua",
            {
                "uri": "sip:2001@pbx.example.net",
                "password": SECRET,
                "sockets": ["wss://pbx.example.net:8089/ws"],
            },
        ]
        stored = "[sessionStorage.getItem('cc-sip-password'), JSON.stringify(localStorage)]"
        kept, local = await page.evaluate(stored)
        assert kept == SECRET and SECRET not in local
        assert await page.input_value("#phone-password") == ""
        assert await talk(page) == [
            ["answer", {"audio": True, "video": False}],
            ["mute"],
            ["unmute"],
            ["dtmf", "5"],
            ["terminate", None],
            ["terminate", 486],
        ]
        await page.click("#go-ready")
        await page.wait_for_selector("#state[data-state='ready']", timeout=5000)
        assert (await client.app[ACD].presence(agent_id)).state == "ready"
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def test_a_refused_sip_password_is_forgotten_and_asked_again(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    refuse = "window.__jssip = {registerFailure: 'Authentication Error'};"
    client, _, page = await open_desk(
        serve, phone_browser, WEBRTC, ("webrtc", "2001"), setup=refuse
    )
    try:
        await sign_in(client, page, "agent01")
        await type_password(page, "wrong")
        await page.wait_for_function("() => window.__jssip.log.some((e) => e[0] === 'start')")
        await phone_status(page, "needs-password")
        assert await page.evaluate("sessionStorage.getItem('cc-sip-password')") is None
        assert "Authentication Error" in (await page.text_content("#phone-problem") or "")
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


async def test_a_webrtc_preflight_without_ice_keeps_the_agent_out_of_routing(
    serve: Serve, phone_browser: Any, request: pytest.FixtureRequest
) -> None:
    client, agent_id, page = await open_desk(
        serve, phone_browser, WEBRTC, ("webrtc", "2001"), setup=NO_ICE
    )
    try:
        await sign_in(client, page, "agent01")
        await phone_status(page, "failed")
        assert await page.get_attribute("#phone-preflight", "data-result") == "failed"
        assert "no ICE candidate" in (await page.text_content("#phone-preflight") or "")
        await check_kept_out_of_routing(client, page, agent_id)
        assert await log_of(page, "__jssip") == []  # nothing registered
    except BaseException:
        await screenshots(request, {"desk": page})
        raise


@pytest.mark.parametrize(
    ("kind", "address", "label"),
    [("sip", "1001", "SIP 话机"), ("phone", "+8613800138000", "电话号码")],
)
async def test_sip_and_phone_devices_ring_elsewhere(
    serve: Serve, phone_browser: Any, kind: str, address: str, label: str
) -> None:
    client, agent_id, page = await open_desk(serve, phone_browser, WEBRTC, (kind, address))
    await sign_in(client, page, "agent01")
    await phone_status(page, "elsewhere")
    assert await phone_kind(page) == label
    assert address in (await page.text_content("#phone-problem") or "")
    assert await page.evaluate("[window.Twilio, window.JsSIP]") == [None, None]
    await page.click("#go-ready")
    await page.wait_for_selector("#state[data-state='ready']", timeout=5000)
    assert (await client.app[ACD].presence(agent_id)).state == "ready"
