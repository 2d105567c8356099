"""The load generator's HTTP client (`bench/http_client.py`): keep-alive, a server that
closes after each response (gunicorn's sync workers), chunked bodies, and a server gone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench import http_client
from bench.http_client import Connection, HttpError
from callcenter.devtools.servers import free_port


def _app(peers: list[int]) -> web.Application:
    async def echo(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        transport = request.transport
        peers.append(transport.get_extra_info("peername")[1] if transport else 0)
        text = f"{request.path_qs} {form.get('Digits', '')} {request.headers['X-Test']}"
        if request.path == "/chunked":
            stream = web.StreamResponse()
            stream.enable_chunked_encoding()
            await stream.prepare(request)
            for part in (text[:3], text[3:]):
                await stream.write(part.encode())
            await stream.write_eof()
            return stream
        resp = web.Response(text=text, status=201 if request.path == "/created" else 200)
        if request.path == "/close":
            resp.force_close()
        return resp

    app = web.Application()
    app.router.add_post("/{tail:.*}", echo)
    return app


@contextlib.asynccontextmanager
async def served(peers: list[int]) -> AsyncIterator[tuple[Connection, str]]:
    """A client connection and the base URL of the echo server."""
    async with TestServer(_app(peers), host="127.0.0.1") as server:
        http = Connection()
        try:
            yield http, f"http://127.0.0.1:{server.port}"
        finally:
            http.close()


async def test_posts_keep_one_connection_and_read_each_body() -> None:
    peers: list[int] = []
    async with served(peers) as (http, base):
        first = await http.post(f"{base}/a?n=1", {"Digits": "2"}, {"X-Test": "x"})
        second = await http.post(f"{base}/created", {}, {"X-Test": "y"})
        chunked = await http.post(f"{base}/chunked", {"Digits": "9#"}, {"X-Test": "z"})
    assert first == (200, "/a?n=1 2 x")
    assert second == (201, "/created  y")
    assert chunked == (200, "/chunked 9# z")
    assert len(set(peers)) == 1  # one connection, kept alive


async def test_a_server_that_closes_gets_a_new_connection_for_the_next_post() -> None:
    peers: list[int] = []
    async with served(peers) as (http, base):
        answers = [await http.post(f"{base}/close", {}, {"X-Test": str(n)}) for n in range(3)]
    assert answers == [(200, f"/close  {n}") for n in range(3)]
    assert len(set(peers)) == 3


async def test_a_server_gone_is_an_error_and_the_next_post_tries_again() -> None:
    http = Connection()
    url = f"http://127.0.0.1:{free_port()}/voice"
    for _ in range(2):
        try:
            await http.post(url, {}, {})
        except HttpError:
            continue
        raise AssertionError("a post to a closed port answered")
    http.close()


async def test_a_server_that_stops_answering_fails_the_post(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response()

    app = web.Application()
    app.router.add_post("/", silent)
    monkeypatch.setattr(http_client, "TIMEOUT_SECONDS", 0.2)
    async with TestServer(app, host="127.0.0.1") as server:
        http = Connection()
        with pytest.raises(HttpError):
            await http.post(f"http://127.0.0.1:{server.port}/", {}, {})
        http.close()
