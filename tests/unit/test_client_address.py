"""Where a request came from: the TCP peer, or the client a trusted proxy names."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from callcenter.config import ServerSettings
from callcenter.core.errors import ConfigError
from callcenter.httpkit import TRUSTED_PROXIES, client_address, networks


def _request(peer: str, forwarded: str | None, proxies: list[str]) -> web.Request:
    app = web.Application()
    app[TRUSTED_PROXIES] = networks(proxies)
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    request = make_mocked_request("GET", "/", headers=headers, app=app)
    return request.clone(remote=peer)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert client_address(_request("203.0.113.9", "198.51.100.1", [])) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client() -> None:
    request = _request("127.0.0.1", "198.51.100.1", ["127.0.0.1"])
    assert client_address(request) == "198.51.100.1"


def test_a_forged_left_most_entry_is_not_believed() -> None:
    # The client sent its own X-Forwarded-For; the proxy appended the real address.
    request = _request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", ["10.0.0.0/8"])
    assert client_address(request) == "198.51.100.7"


def test_an_untrusted_peer_cannot_forge_the_header() -> None:
    request = _request("198.51.100.7", "127.0.0.1", ["127.0.0.1"])
    assert client_address(request) == "198.51.100.7"


def test_garbage_in_the_header_falls_back_to_the_peer() -> None:
    request = _request("127.0.0.1", "not-an-address", ["127.0.0.1"])
    assert client_address(request) == "127.0.0.1"


def test_a_bad_trusted_proxy_is_refused_in_the_settings() -> None:
    with pytest.raises((ValueError, ConfigError)):
        ServerSettings(trusted_proxies=["10.0.0.0/33"])
