"""What the softphone's browser tests share: a headless Chromium with fake media (the
microphone granted, or refused), stand-ins for the vendored Twilio Voice SDK and JsSIP served
in place of the real files (route interception), each logging what the desk asked of it
into `window.__twilio.log` / `window.__jssip.log` and able to raise the SDK's events; and an
agent with a given device, signed in on the desk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from callcenter.storage.tables import agents
from callcenter.web.keys import ACD, ENGINE
from tests.browser.chromium import CHROMIUM, FLAGS, playwright_or_skip
from tests.browser.csp import CspWatch
from tests.integration.test_agent_desk import PASSWORD, add_agent

Client = TestClient[web.Request, web.Application]
Serve = Callable[..., Awaitable[Client]]
FAKE_DEVICE = "--use-fake-device-for-media-stream"
FAKE_UI = "--use-fake-ui-for-media-stream"  # grants the microphone without asking
VENDOR = "**/static/agents/vendor/"

STUBS = Path(__file__).parent / "stubs"
Launch = Callable[[bool], Awaitable[Any]]

# An RTCPeerConnection whose ICE gathering finds nothing: the WebRTC preflight fails.
NO_ICE = """
window.RTCPeerConnection = class {
  createDataChannel() {}
  createOffer() { return Promise.resolve({ type: "offer", sdp: "" }); }
  setLocalDescription() {
    setTimeout(() => this.onicecandidate({ candidate: null }), 0);
    return Promise.resolve();
  }
  close() {}
};
"""


@pytest.fixture(name="phone_browser")
async def phone_browser_fixture() -> AsyncIterator[Launch]:
    """`launch(microphone)`: a Chromium with fake media that grants the microphone, or
    refuses it (no fake permission prompt, no permission given); the desk must keep its
    Content-Security-Policy."""
    api = playwright_or_skip()
    csp = CspWatch()
    async with api.async_playwright() as pw:
        launched: list[Any] = []

        async def launch(microphone: bool) -> Any:
            args = [*FLAGS, FAKE_DEVICE, *([FAKE_UI] if microphone else [])]
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
            launched.append(browser)
            context = await browser.new_context(
                locale="zh-CN", permissions=["microphone"] if microphone else []
            )
            await csp.watch(context)
            return await context.new_page()

        yield launch
        for browser in launched:
            await browser.close()
    assert csp.violations == [], "the desk broke its Content-Security-Policy"


async def agent_with(client: Client, name: str, kind: str, address: str) -> int:
    """An agent of the billing queue with the device `kind:address`."""
    agent_id = await add_agent(client, name, {"billing": 2})
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(
            update(agents)
            .where(agents.c.user_id == agent_id)
            .values(device_kind=kind, device_address=address)
        )
    await client.app[ACD].refresh_agents()
    return agent_id


async def serve_stubs(page: Any, setup: str = "") -> None:
    """The stand-ins in place of the vendored libraries; `setup` runs first in every page."""
    if setup:
        await page.add_init_script(setup)

    for vendored, stub in (("twilio.min.js", "twilio-device.js"), ("jssip.min.js", "jssip-ua.js")):
        await page.route(VENDOR + vendored, script(stub))


def script(stub: str) -> Callable[[Any], Awaitable[None]]:
    """A route handler answering with the stand-in `stub` (after the shared emitter)."""
    body = "".join((STUBS / name).read_text(encoding="utf-8") for name in ("emitter.js", stub))

    async def fulfill(route: Any) -> None:
        await route.fulfill(body=body, content_type="text/javascript")

    return fulfill


async def sign_in(client: Client, page: Any, username: str) -> None:
    """Open the desk and sign in; the agent is logged in (not ready) when this returns."""
    await page.goto(str(client.make_url("/desk")))
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#signin-button")
    await page.wait_for_selector("#state[data-state='not_ready']", timeout=5000)


async def phone_status(page: Any, status: str) -> None:
    """Wait until the phone panel shows `status`."""
    await page.wait_for_selector(f"#phone-status[data-status='{status}']", timeout=8000)


async def phone_kind(page: Any) -> str:
    """The phone panel's device label, once the desk has filled it in (it does so after
    fetching the agent's device, so right after sign-in it may still be empty)."""
    shown = "document.getElementById('phone-kind').textContent !== ''"
    await page.wait_for_function(shown, timeout=8000)
    return str(await page.text_content("#phone-kind"))


async def log_of(page: Any, stub: str) -> list[list[Any]]:
    """What the desk asked of a stand-in (`__twilio` or `__jssip`), in order."""
    found: list[list[Any]] = await page.evaluate(f"window.{stub}.log")
    return found


async def open_desk(
    serve: Serve,
    launch: Launch,
    env: dict[str, str],
    device: tuple[str, str],
    *,
    microphone: bool = True,
    setup: str = "",
) -> tuple[Client, int, Any]:
    """The app with `env`, an agent with `device` (kind, address), a page with the stand-ins
    (and `setup`): (client, agent id, page), not signed in yet."""
    client = await serve(**env)
    agent_id = await agent_with(client, "agent01", *device)
    page = await launch(microphone)
    await serve_stubs(page, setup)
    return client, agent_id, page


async def check_kept_out_of_routing(client: Client, page: Any, agent_id: int) -> None:
    """The agent says ready while the phone is not: the server hears the phone again and
    the agent is not ready, reason `device`, on the desk and through the API."""
    await page.click("#go-ready")
    await page.wait_for_selector("#reason:text('话机未就绪')", timeout=5000)
    presence = await client.app[ACD].presence(agent_id)
    assert (presence.state, presence.reason) == ("not_ready", "device")
