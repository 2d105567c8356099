"""The pages' Content-Security-Policy, built from the settings: scripts and styles from our
own files only (never 'unsafe-inline' or 'unsafe-eval'), no framing, no plugins, no <base>;
the sockets of the same host and the softphones' servers (only those configured) reachable;
a forged Host header or a strange WSS URL adds nothing to the policy. HTTPS is believed from
TLS or a trusted proxy only."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from callcenter.httpkit import TRUSTED_PROXIES, networks, over_https
from callcenter.web.security_headers import PagePolicy, hardened

HOST = "cc.example.com:8080"


def directives(header: str) -> dict[str, list[str]]:
    parsed = [part.split() for part in header.split(";")]
    return {words[0]: words[1:] for words in parsed}


def policy(twilio_phone: bool = False, sip_ws_url: str = "") -> dict[str, list[str]]:
    return directives(PagePolicy.of(twilio_phone=twilio_phone, sip_ws_url=sip_ws_url).header(HOST))


def test_the_policy_allows_our_own_files_and_nothing_inline() -> None:
    assert policy() == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", f"ws://{HOST}", f"wss://{HOST}"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_the_twilio_softphone_reaches_twilio() -> None:
    found = policy(twilio_phone=True)
    assert found["connect-src"][3:] == ["https://*.twilio.com", "wss://*.twilio.com"]
    assert found["media-src"] == ["'self'", "https://sdk.twilio.com"]
    assert found["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("wss://pbx.example.com:8089/ws", ["wss://pbx.example.com:8089"]),
        ("wss://user:pw@pbx.example.com/ws", ["wss://pbx.example.com"]),
        ("wss://[2001:db8::1]:8089/ws", ["wss://[2001:db8::1]:8089"]),
        ("wss://pbx.example.com;script-src:*/ws", []),  # never a directive of its own
        ("https://pbx.example.com/ws", []),
    ],
)
def test_the_webrtc_softphone_reaches_asterisks_wss_transport(url: str, extra: list[str]) -> None:
    assert policy(sip_ws_url=url)["connect-src"][3:] == extra


@pytest.mark.parametrize(
    "host", ["evil.example; script-src 'unsafe-inline'", "a b", "x'y", "evil.example/path"]
)
def test_a_forged_host_header_adds_nothing(host: str) -> None:
    header = PagePolicy.of(twilio_phone=False, sip_ws_url="").header(host)
    assert directives(header)["connect-src"] == ["'self'"]
    assert "unsafe" not in header


def _request(peer: str, proto: str | None, proxies: list[str]) -> web.Request:
    app = web.Application()
    app[TRUSTED_PROXIES] = networks(proxies)
    headers = {"X-Forwarded-Proto": proto} if proto is not None else {}
    return make_mocked_request("GET", "/", headers=headers, app=app).clone(remote=peer)


@pytest.mark.parametrize(
    ("peer", "proto", "proxies", "https"),
    [
        pytest.param("127.0.0.1", None, ["127.0.0.1"], False, id="plain"),
        pytest.param("127.0.0.1", "https", ["127.0.0.1"], True, id="trusted-proxy"),
        pytest.param("127.0.0.1", "HTTPS, http", ["127.0.0.1"], True, id="first-hop-counts"),
        pytest.param("127.0.0.1", "http", ["127.0.0.1"], False, id="trusted-proxy-plain"),
        pytest.param("203.0.113.9", "https", ["127.0.0.1"], False, id="untrusted-peer-lies"),
        pytest.param("127.0.0.1", "https", [], False, id="no-trusted-proxies"),
    ],
)
def test_https_is_believed_from_a_trusted_proxy_only(
    peer: str, proto: str | None, proxies: list[str], https: bool
) -> None:
    assert over_https(_request(peer, proto, proxies)) is https


@pytest.mark.parametrize(
    ("cookie", "https", "expected"),
    [
        ("a=1; Path=/", False, "a=1; Path=/; HttpOnly; SameSite=Lax"),
        ("a=1; Path=/", True, "a=1; Path=/; HttpOnly; SameSite=Lax; Secure"),
        ("a=1; HttpOnly; SameSite=Strict; Secure", True, "a=1; HttpOnly; SameSite=Strict; Secure"),
        ("secure=1", True, "secure=1; HttpOnly; SameSite=Lax; Secure"),  # a name, not a flag
    ],
)
def test_a_cookie_is_hardened_where_it_is_not_already(
    cookie: str, https: bool, expected: str
) -> None:
    assert hardened(cookie, https) == expected
