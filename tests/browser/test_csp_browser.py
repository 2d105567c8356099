"""The pages keep working under their Content-Security-Policy, and the policy stops what an
attacker would slip in (Chromium driven by Playwright): each page's own scripts run (the
sign-in form gets its words) with no violation reported; markup injected into the page (an
inline <script>, an `onerror=` handler, a `javascript:` link) does not run and is reported;
another site cannot frame the page (clickjacking)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.browser.chromium import playwright_or_skip

playwright_or_skip()

Client = TestClient[web.Request, web.Application]
PAGES = ["/desk", "/wallboard", "/ops", "/tickets/board"]
# What a stored XSS would add to the page: none of it may run.
INJECT = """() => {
  document.body.insertAdjacentHTML("beforeend",
    '<img id="x1" src="/no-such.png" onerror="window.__pwned = (window.__pwned || 0) + 1">' +
    '<a id="x2" href="javascript:window.__pwned = 9">x</a>');
  const script = document.createElement("script");
  script.textContent = "window.__pwned = (window.__pwned || 0) + 10";
  document.body.append(script);
  document.getElementById("x2").click();
}"""


async def open_page(client: Client, browser: Any, path: str) -> Any:
    """The page in English with its scripts run (the sign-in button has its words)."""
    page = await (await browser.new_context(locale="en-US")).new_page()
    await page.goto(str(client.make_url(path)))
    await page.wait_for_selector("#signin-button:text('Sign in')", timeout=5000)
    return page


@pytest.mark.parametrize("path", PAGES)
async def test_the_page_runs_its_scripts_within_its_policy(
    client: Client, browser: Any, path: str
) -> None:
    page = await open_page(client, browser, path)
    assert await page.evaluate("window.__csp") == []
    assert browser.csp.violations == []


@pytest.mark.parametrize("path", PAGES)
async def test_injected_markup_does_not_run(client: Client, browser: Any, path: str) -> None:
    page = await open_page(client, browser, path)
    await page.evaluate(INJECT)
    await page.wait_for_function("() => window.__csp.length >= 3", timeout=5000)
    assert await page.evaluate("window.__pwned === undefined")
    assert sorted(set(await page.evaluate("window.__csp"))) == [
        "script-src-attr inline",
        "script-src-elem inline",
    ]
    assert browser.csp.take()  # reported, as the fixture would otherwise fail the test


async def test_another_site_cannot_frame_the_desk(
    client: Client, browser: Any, aiohttp_server: Callable[[web.Application], Awaitable[Any]]
) -> None:
    framing = f'<iframe id="f" src="{client.make_url("/desk")}"></iframe>'

    async def attacker_page(request: web.Request) -> web.Response:
        return web.Response(text=framing, content_type="text/html")

    attacker = web.Application()  # another origin (its own port) on loopback
    attacker.router.add_get("/", attacker_page)
    server = await aiohttp_server(attacker)
    page = await (await browser.new_context()).new_page()
    await page.goto(str(server.make_url("/")))
    frame = await (await page.wait_for_selector("#f")).content_frame()
    assert await frame.query_selector("#signin-form") is None
