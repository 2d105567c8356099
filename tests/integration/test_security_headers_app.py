"""The security headers through the app: the desk, wallboard, console and ticket board pages
send a Content-Security-Policy without inline script; every response says nosniff and
no-referrer; Strict-Transport-Security only over HTTPS (the public address, or a trusted
proxy's word; a client's own X-Forwarded-Proto is not believed); no page or sign-in sets a
cookie, and a cookie a handler might set is HttpOnly, SameSite and, over HTTPS, Secure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

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
PAGES = ["/desk", "/wallboard", "/ops", "/tickets/board"]
OTHERS = ["/api/openapi.json", "/static/agents/desk.js", "/api/calls", "/healthz", "/no-such"]
PROXY = '["127.0.0.1"]'
HTTPS_SITE = {"CALLCENTER_SERVER__PUBLIC_BASE_URL": "https://cc.example.com"}


def make_app(tmp_path: Path, **env: str) -> web.Application:
    stores = (f"sqlite+aiosqlite:///{tmp_path / 'headers.db'}", "memory://")
    return create_app(app_settings(stores, **env), clock=ManualClock(NOW))


@pytest.fixture
async def client(aiohttp_client: MakeClient, tmp_path: Path) -> Client:
    return await aiohttp_client(make_app(tmp_path))


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_sends_a_policy_without_inline_script(client: Client, path: str) -> None:
    resp = await client.get(path)
    assert resp.status == 200
    policy = resp.headers.get("Content-Security-Policy", "")
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", OTHERS)
async def test_every_response_says_nosniff_and_no_referrer(client: Client, path: str) -> None:
    resp = await client.get(path)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" not in resp.headers
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP


@pytest.mark.parametrize(
    ("env", "proto", "hsts"),
    [
        pytest.param({}, None, False, id="plain-http"),
        pytest.param({}, "https", False, id="a-client-says-https"),
        pytest.param({"CALLCENTER_SERVER__TRUSTED_PROXIES": PROXY}, "https", True, id="proxy"),
        pytest.param({"CALLCENTER_SERVER__TRUSTED_PROXIES": PROXY}, None, False, id="proxy-http"),
        pytest.param(HTTPS_SITE, None, True, id="site"),
    ],
)
async def test_strict_transport_security_only_over_https(
    aiohttp_client: MakeClient, tmp_path: Path, env: dict[str, str], proto: str | None, hsts: bool
) -> None:
    client = await aiohttp_client(make_app(tmp_path, **env))
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    resp = await client.get("/desk", headers=headers)
    assert ("Strict-Transport-Security" in resp.headers) is hsts


async def test_no_page_and_no_sign_in_sets_a_cookie(client: Client) -> None:
    await client.app[AUTH].add_user("lead", Role.SUPERVISOR, "board-password-1")
    answers = [await client.get(path) for path in [*PAGES, *OTHERS]]
    body = {"username": "lead", "password": "board-password-1"}
    answers.append(await client.post("/api/auth/login", json=body))
    assert answers[-1].status == 200
    assert [r.headers.getall("Set-Cookie", []) for r in answers] == [[]] * len(answers)


async def _sets_a_cookie(request: web.Request) -> web.Response:
    response = web.Response(text="ok")
    response.set_cookie("probe", "1")
    return response


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        pytest.param({}, False, id="http"),
        pytest.param(
            {"CALLCENTER_SERVER__PUBLIC_BASE_URL": "https://cc.example.com"}, True, id="https"
        ),
    ],
)
async def test_a_cookie_is_http_only_same_site_and_secure_behind_https(
    aiohttp_client: MakeClient, tmp_path: Path, env: dict[str, str], secure: bool
) -> None:
    app = make_app(tmp_path, **env)
    app.router.add_get("/cookie-probe", _sets_a_cookie)
    client = await aiohttp_client(app)
    cookie = (await client.get("/cookie-probe")).headers["Set-Cookie"].lower()
    flags = {part.strip() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax"} <= flags
    assert ("secure" in flags) is secure
