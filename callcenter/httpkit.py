"""Boundary helpers for the feature packages' thin HTTP handlers: parse in, JSON out.

A leaf module: it imports only `callcenter.core`, pydantic and aiohttp, so every feature
package may use it without breaking the dependency rule.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, get_args

from aiohttp import web
from pydantic import (
    AwareDatetime,
    BaseModel,
    FutureDatetime,
    NaiveDatetime,
    PastDatetime,
    ValidationError,
)
from pydantic_core import ErrorDetails

from callcenter.core.addresses import Network as Network
from callcenter.core.addresses import networks as networks
from callcenter.core.addresses import within
from callcenter.core.api import Principal
from callcenter.core.audit import Editor
from callcenter.core.errors import InvalidInputError

M = TypeVar("M", bound=BaseModel)

PRINCIPAL = web.RequestKey("principal", Principal)
TRUSTED_PROXIES = web.AppKey("trusted_proxies", tuple[Network, ...])
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def client_address(request: web.Request) -> str:
    """Where a request came from: the TCP peer, or, when the peer is a trusted proxy
    (`server.trusted_proxies`), the right-most address of X-Forwarded-For that is not one."""
    peer = request.remote or "unknown"
    proxies = request.config_dict.get(TRUSTED_PROXIES, ())
    if not proxies or not within(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not within(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer


def over_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS: TLS on this socket, or a trusted proxy
    (`server.trusted_proxies`) saying so in X-Forwarded-Proto (anyone else may lie)."""
    if request.secure:
        return True
    proxies = request.config_dict.get(TRUSTED_PROXIES, ())
    if not proxies or not within(request.remote or "", proxies):
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0]
    return forwarded.strip().lower() == "https"


def _explain(err: ValidationError) -> str:
    parts = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


def _bad_text(text: str, where: str) -> str | None:
    if "\x00" in text:
        return f"{where}: NUL characters are not allowed"
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return f"{where}: not valid Unicode text"
    return None


def unstorable(value: object, where: str = "body") -> str | None:
    """Why `value` (a validated model, or what it holds) cannot be stored: a string with a NUL
    or a lone surrogate (PostgreSQL's text refuses both), an integer beyond 64 bits (its
    bigint); None when it can."""
    if isinstance(value, str):
        return _bad_text(value, where)
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else f"{where}: a number out of range"
    if isinstance(value, BaseModel):
        items: Iterable[tuple[object, object]] = value.__dict__.items()
    elif isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, list | tuple | set | frozenset):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        problem = unstorable(key, where) or unstorable(item, f"{where}.{key}")
        if problem:
            return problem
    return None


def _validated(model: type[M], data: Any, code: str, where: str) -> M:
    try:
        parsed = model.model_validate(data)
    except ValidationError as err:
        raise InvalidInputError(_explain(err), code=code) from None
    return _storable(parsed, code, where)


def _storable(parsed: M, code: str, where: str) -> M:
    problem = unstorable(parsed, where)
    if problem:
        raise InvalidInputError(problem, code=code)
    return parsed


_TIMES = (datetime, date, AwareDatetime, NaiveDatetime, FutureDatetime, PastDatetime)


def _mentions_time(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, _TIMES):
        return True
    return any(_mentions_time(arg) for arg in get_args(annotation))


@functools.cache
def _time_fields(model: type[BaseModel]) -> frozenset[str]:
    """The query model's fields that hold a date or a time."""
    return frozenset(
        name for name, info in model.model_fields.items() if _mentions_time(info.annotation)
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_query(model: type[M], query: Mapping[str, str]) -> M:
    """Validate query-string parameters; `invalid-query` (400) naming the bad ones. A date or
    time must be written as one: pydantic would take a bare number for seconds since 1970."""
    for name in _time_fields(model) & query.keys():
        if _is_number(query[name]):
            raise InvalidInputError(
                f"{name}: write a date or time as ISO 8601 (e.g. 2026-12-07T08:00+08:00), "
                f"not a number: {query[name]!r}",
                code="invalid-query",
            )
    return _validated(model, dict(query), "invalid-query", "query")


async def parse_body(model: type[M], request: web.Request) -> M:
    """Validate a JSON body; `invalid-body` (400) when it is not JSON or not the right shape,
    or holds what the database cannot store. Strictly, as JSON: a value of another JSON type
    is refused rather than converted (`0` is not a date or `false`, `false` is not `0`,
    `"5"` is not 5); a date or time is an ISO 8601 string."""
    raw = await request.read()
    try:
        parsed = model.model_validate_json(raw, strict=True)
    except ValidationError as err:
        errors = err.errors()
        if any(error["type"] == "json_invalid" for error in errors):
            raise InvalidInputError("the body is not valid JSON", code="invalid-body") from None
        if not all(_date_for_a_time(error) for error in errors):
            raise InvalidInputError(_explain(err), code="invalid-body") from None
        # Only dates where a time is asked (`"until": "2026-03-11"`): taken as that day's
        # start, as before; every other value has passed the strict check.
        return _validated(model, json.loads(raw), "invalid-body", "body")
    return _storable(parsed, "invalid-body", "body")


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_for_a_time(error: ErrorDetails) -> bool:
    """Whether a strict validation error is only an ISO date given for a date and time."""
    found = error["input"]
    return (
        error["type"] == "datetime_parsing"
        and isinstance(found, str)
        and _DATE_ONLY.fullmatch(found) is not None
    )


def path_int(request: web.Request, name: str) -> int:
    """A positive 64-bit integer path parameter (ASCII digits only: `str.isdigit` takes
    '٣' and '²'); `invalid-id` (400) otherwise."""
    text = request.match_info[name]
    if not (text.isascii() and text.isdigit()) or int(text) > INT64_MAX:
        raise InvalidInputError(f"{name} must be a positive integer: {text!r}", code="invalid-id")
    return int(text)


def dumps(value: Any) -> str:
    """JSON with Chinese text kept readable (UTF-8, not \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def respond(model: BaseModel, status: int = 200) -> web.Response:
    """A JSON response from a pydantic model."""
    return web.json_response(model.model_dump(mode="json"), status=status, dumps=dumps)


def to_model(model: type[M], value: Any) -> M:
    """Build a response model from a domain object (dataclasses, attributes)."""
    return model.model_validate(value, from_attributes=True)


def editor_of(request: web.Request) -> Editor:
    """Who makes an audited change over HTTP: the caller's role and user, and their address."""
    return Editor.of(request[PRINCIPAL], client_address(request))
