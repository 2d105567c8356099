"""The desk and wallboard pages through the app: the bootstrap JSON carries the server's time
zone and the page language the browser asks for; the translations are served; the
wallboard's figures refuse an agent with a 403 and a stable code (the page shows it)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]
MakeClient = Callable[[web.Application], Awaitable[Client]]
BOOTSTRAP = re.compile(r'<script id="cc-bootstrap" type="application/json">(.*?)</script>', re.S)
PAGES = ["/desk", "/wallboard"]


async def make_client(aiohttp_client: MakeClient, tmp_path: Path, **env: str) -> Client:
    stores = (f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}", "memory://")
    app = create_app(app_settings(stores, **env), clock=ManualClock(NOW))
    return await aiohttp_client(app)


@pytest.fixture
async def client(aiohttp_client: MakeClient, tmp_path: Path) -> Client:
    return await make_client(aiohttp_client, tmp_path)


async def bootstrap(client: Client, path: str, accept_language: str = "") -> dict[str, Any]:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    resp = await client.get(path, headers=headers)
    assert resp.status == 200
    found = BOOTSTRAP.search(await resp.text())
    assert found is not None
    return dict(json.loads(found.group(1)))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("accept_language", "language"),
    [("", "zh-CN"), ("en-US,en;q=0.9", "en-US"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN")],
)
async def test_the_page_carries_the_time_zone_and_the_language(
    client: Client, path: str, accept_language: str, language: str
) -> None:
    assert await bootstrap(client, path, accept_language) == {
        "timezone": "Asia/Shanghai",
        "languages": ["zh-CN", "en-US"],
        "language": language,
    }
    page = await (await client.get(path, headers={"Accept-Language": accept_language})).text()
    assert f'<html lang="{language}" data-timezone="Asia/Shanghai">' in page
    scripts = re.findall(r'<script src="/static/agents/([a-z0-9]+)\.js">', page)
    assert scripts[:2] == ["i18n", "common"]


@pytest.mark.parametrize("path", PAGES)
async def test_the_configured_time_zone_reaches_the_page(
    aiohttp_client: MakeClient, tmp_path: Path, path: str
) -> None:
    client = await make_client(
        aiohttp_client, tmp_path, CALLCENTER_SERVER__TIMEZONE="America/New_York"
    )
    assert (await bootstrap(client, path))["timezone"] == "America/New_York"


@pytest.mark.parametrize("name", ["i18n.js", "pop.js", "desk.js", "wallboard.js", "common.js"])
async def test_the_scripts_are_served(client: Client, name: str) -> None:
    resp = await client.get(f"/static/agents/{name}")
    assert resp.status == 200
    assert "use strict" in await resp.text()


async def test_the_page_has_no_hard_coded_words_outside_the_translations(client: Client) -> None:
    page = await (await client.get("/desk")).text()
    assert not re.search(r"[\u4e00-\u9fff]", page)
    assert "Agent desk" not in page and "Sign in" not in page


async def test_the_wallboard_figures_refuse_an_agent_with_403_forbidden(client: Client) -> None:
    await client.app[AUTH].add_user("agent01", Role.AGENT, "desk-password-1", "坐席 agent01")
    resp = await client.post(
        "/api/auth/login", json={"username": "agent01", "password": "desk-password-1"}
    )
    auth = {"Authorization": "Bearer " + (await resp.json())["token"]}
    resp = await client.get("/api/stats/realtime", headers=auth)
    assert resp.status == 403
    error = (await resp.json())["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == "this needs one of the roles: admin, operator, supervisor"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.AGENT, 403), (Role.SUPERVISOR, 200), (Role.OPERATOR, 200), (Role.ADMIN, 200)],
)
async def test_who_may_read_the_wallboard_figures(client: Client, role: Role, status: int) -> None:
    _, secret = await client.app[AUTH].create_token(role, f"test {role}")
    resp = await client.get("/api/stats/realtime", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status == status
