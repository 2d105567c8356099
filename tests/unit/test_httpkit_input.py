"""What the boundary helpers refuse before PostgreSQL sees it (issue 18): path ids in other
scripts' digits or beyond 64 bits, NUL characters and lone surrogates, huge integers."""

from __future__ import annotations

from datetime import date

import pytest
from aiohttp.test_utils import make_mocked_request
from aiohttp.web_urldispatcher import UrlMappingMatchInfo
from pydantic import AwareDatetime, BaseModel

from callcenter.core.errors import InvalidInputError
from callcenter.httpkit import parse_query, path_int, unstorable


class Page(BaseModel):
    """A query with an integer and a text."""

    offset: int = 0
    text: str = ""


def _request_with(ticket_id: str) -> object:
    request = make_mocked_request("GET", "/api/tickets/x")
    request._match_info = UrlMappingMatchInfo({"ticket_id": ticket_id}, None)  # type: ignore[arg-type]
    return request


@pytest.mark.parametrize("text", ["٣", "²", "１２", "9223372036854775808", "-1", "1a", ""])
def test_a_path_id_is_ascii_digits_within_64_bits(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        path_int(_request_with(text), "ticket_id")  # type: ignore[arg-type]
    assert err.value.code == "invalid-id"


def test_the_largest_64_bit_id_is_taken() -> None:
    assert path_int(_request_with("9223372036854775807"), "ticket_id") == 2**63 - 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"offset": "798834331236425176237933068288"}, "query.offset: a number out of range"),
        ({"text": "a\x00b"}, "query.text: NUL characters are not allowed"),
    ],
)
def test_a_query_that_no_store_can_hold_is_invalid(query: dict[str, str], said: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_query(Page, query)
    assert (err.value.code, err.value.message) == ("invalid-query", said)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": ["x", "\ud800"]}, "body.a.1: not valid Unicode text"),
        ({"n": [2**63]}, "body.n.0: a number out of range"),
        ({"k\x00": 1}, "body: NUL characters are not allowed"),
        ({"ok": ["停电", -(2**63), 1.5, None]}, None),
    ],
)
def test_unstorable_names_where_the_problem_is(value: object, problem: str | None) -> None:
    assert unstorable(value) == problem


class Window(BaseModel):
    """A query with a time and a date (schemathesis found `until=0.5` taken as 1970)."""

    until: AwareDatetime | None = None
    day: date | None = None


@pytest.mark.parametrize("query", [{"until": "0.5"}, {"until": "1700000000"}, {"day": "0"}])
def test_a_number_is_not_a_time_in_a_query(query: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_query(Window, query)
    assert err.value.code == "invalid-query"
    assert "ISO 8601" in err.value.message


def test_times_written_as_times_are_taken() -> None:
    window = parse_query(Window, {"until": "2026-12-07T08:00:00+08:00", "day": "2026-12-07"})
    assert window.day == date(2026, 12, 7)
    assert window.until is not None and window.until.utcoffset() is not None
