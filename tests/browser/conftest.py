"""The browser fixture (one headless Chromium per test, failing a test whose pages broke
their Content-Security-Policy) and the app it talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.app import create_app
from tests.adapters.test_twilio_webhooks import BASE, TOKEN
from tests.browser.chromium import CHROMIUM, FLAGS, playwright_or_skip
from tests.browser.csp import WatchedBrowser
from tests.conftest import app_settings
from tests.integration.test_agent_desk import FakeTwilioRest

Client = TestClient[web.Request, web.Application]
Serve = Callable[..., Awaitable[Client]]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    api = playwright_or_skip()
    async with api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        watched = WatchedBrowser(chromium)
        yield watched
        await chromium.close()
        assert watched.csp.violations == [], "the pages broke their Content-Security-Policy"


@pytest.fixture
def serve(aiohttp_client: Callable[[TestServer], Awaitable[Client]], tmp_path: Path) -> Serve:
    """Start the app (embedded stores, signed Twilio webhooks, a fast router) with `env`."""

    async def start(**env: str) -> Client:
        settings = app_settings(
            (f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}", "memory://"),
            CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
            TWILIO_AUTH_TOKEN=TOKEN,
            CALLCENTER_ROUTING__TICK_MS="50",
            **env,
        )
        app = create_app(settings, twilio_rest=FakeTwilioRest())
        return await aiohttp_client(TestServer(app))

    return start


@pytest.fixture
async def client(serve: Serve) -> Client:
    return await serve()
