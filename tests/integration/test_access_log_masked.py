"""The access log through the log formatter: no query string, no body, numbers in the path
masked, control characters in it escaped, one line per request."""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callcenter.web.access_log import MaskedAccessLogger
from tests.log_capture import formatted

MakeClient = Callable[[TestServer], Awaitable[TestClient[web.Request, None]]]


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    with formatted("aiohttp.access") as out:
        yield out


async def test_a_request_is_one_masked_line_without_query_or_body(
    aiohttp_client: MakeClient, access_lines: io.StringIO
) -> None:
    server = TestServer(web.Application())  # every path: 404, logged all the same
    await server.start_server(access_log_class=MaskedAccessLogger)
    client = await aiohttp_client(server)
    resp = await client.post(
        "/api/customers/13800138000%0Aforged%20line?phone=%2B8613900139000",
        data={"From": "+8613700137000", "password": "hunter2"},
    )
    assert resp.status == 404
    await client.close()  # the line is written once the response is done
    lines = access_lines.getvalue().splitlines()
    assert len(lines) == 1
    record: dict[str, Any] = json.loads(lines[0])
    assert record["message"].startswith("POST /api/customers/138****8000\nforged line 404 ")
    assert record["path"] == "/api/customers/138****8000\nforged line"
    assert (record["method"], record["status"], record["address"]) == ("POST", 404, "127.0.0.1")
    for hidden in ("13800138000", "13900139000", "13700137000", "hunter2", "phone="):
        assert hidden not in lines[0]
