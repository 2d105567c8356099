"""JSON bodies are validated strictly, as JSON (issue 18's leftover, found by schemathesis's
`negative_data_rejection`): a value of another JSON type is refused with `invalid-body`
rather than converted: `0` taken as a date or a boolean, `false` as an integer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pydantic import BaseModel

from callcenter.core.errors import InvalidInputError
from callcenter.httpkit import parse_body

Client = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


class Form(BaseModel):
    """A body with the kinds of values the API's bodies hold."""

    day: date | None = None
    until: datetime | None = None
    active: bool | None = None
    count: int | None = None
    amount: Decimal | None = None
    tags: tuple[str, ...] = ()


async def _post(aiohttp_client: Client, body: bytes) -> tuple[int, dict[str, Any]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            form = await parse_body(Form, request)
        except InvalidInputError as err:
            return web.json_response({"code": err.code, "message": err.message}, status=400)
        return web.json_response(form.model_dump(mode="json"))

    app = web.Application()
    app.router.add_post("/", handler)
    client = await aiohttp_client(app)
    response = await client.post("/", data=body, headers={"Content-Type": "application/json"})
    return response.status, await response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"day": 0}', "day"),
        (b'{"active": 0}', "active"),
        (b'{"count": false}', "count"),
        (b'{"count": "5"}', "count"),
        (b'{"count": 1.5}', "count"),
        (b'{"tags": "a"}', "tags"),
        (b'{"until": 0}', "until"),
        (b'{"until": "2026-12-07", "count": false}', "count"),
    ],
)
async def test_a_value_of_another_json_type_is_refused(
    aiohttp_client: Client, body: bytes, field: str
) -> None:
    status, answer = await _post(aiohttp_client, body)
    assert status == 400 and answer["code"] == "invalid-body"
    assert field in answer["message"]


async def test_values_of_their_own_json_type_are_taken(aiohttp_client: Client) -> None:
    body = b'{"day": "2026-12-07", "active": true, "count": 5, "amount": 12.5, "tags": ["a"]}'
    status, answer = await _post(aiohttp_client, body)
    assert status == 200
    assert answer == {
        "day": "2026-12-07",
        "active": True,
        "count": 5,
        "amount": "12.5",
        "tags": ["a"],
        "until": None,
    }


async def test_a_date_where_a_time_is_asked_is_that_day_s_start(aiohttp_client: Client) -> None:
    """As before strict validation: `"until": "2026-03-11"` is midnight of that day (and the
    handler's own rules apply to it, e.g. a schedule's order)."""
    status, answer = await _post(aiohttp_client, b'{"until": "2026-03-11", "count": 2}')
    assert status == 200
    assert (answer["until"], answer["count"]) == ("2026-03-11T00:00:00", 2)


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"[1, 2"])
async def test_what_is_not_json_is_said_so(aiohttp_client: Client, body: bytes) -> None:
    status, answer = await _post(aiohttp_client, body)
    assert (status, answer) == (
        400,
        {"code": "invalid-body", "message": "the body is not valid JSON"},
    )


async def test_what_no_store_can_hold_is_still_refused(aiohttp_client: Client) -> None:
    status, answer = await _post(aiohttp_client, b'{"count": 9223372036854775808}')
    assert status == 400 and answer["code"] == "invalid-body"
    assert "out of range" in answer["message"]
