"""The middlewares: errors to JSON with a stable code, bearer-token auth and roles, input that
no store can hold, metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

from callcenter.auth.http import LOGIN_PATH
from callcenter.core.api import spec_of
from callcenter.core.errors import (
    CallcenterError,
    InvalidInputError,
    TooManyRequestsError,
    UnauthorizedError,
)
from callcenter.httpkit import PRINCIPAL, unstorable
from callcenter.web.keys import AUTH, LITERAL_PATHS

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_API_PATHS = frozenset({"/api/openapi.json", LOGIN_PATH})

_HTTP_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
}


def error_body(status: int, code: str, message: str) -> web.Response:
    """The one JSON error shape: `{"error": {"code": ..., "message": ...}}`."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map domain errors and HTTP errors to JSON; never show a stack trace to a user."""
    try:
        return await handler(request)
    except CallcenterError as err:
        if err.status >= 500:
            log.warning("%s %s: %s", request.method, request.path, err.message)
        response = error_body(err.status, err.code, err.message)
        if isinstance(err, TooManyRequestsError):
            response.headers["Retry-After"] = str(err.retry_after)
        return response
    except web.HTTPException as err:
        if err.status < 400:
            raise
        code = _HTTP_CODES.get(err.status, f"http-{err.status}")
        response = error_body(err.status, code, err.reason)
        if "Allow" in err.headers:  # a 405 names the methods there are (RFC 9110): a fixed
            # path's own, not those of a template that matches it too (/api/agents/{agent_id})
            literal = request.app.get(LITERAL_PATHS, {}).get(request.path)
            response.headers["Allow"] = literal or err.headers["Allow"]
        return response
    except Exception as err:
        if _refused_data(err):
            log.warning("%s %s: refused by the database: %s", request.method, request.path, err)
            return error_body(400, "invalid-input", "a value is out of range for the database")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_body(500, "internal-error", "internal error; it has been logged")


def _refused_data(err: BaseException) -> bool:
    """Whether PostgreSQL (or asyncpg, encoding the parameters) refused a value the client
    sent: an integer beyond an int4 column, a numeric overflow (SQLSTATE class 22, data
    exception). The last line of defence behind the validation of `callcenter.httpkit`."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, asyncpg.DataError):
            return True
        if isinstance(seen, asyncpg.PostgresError) and str(seen.sqlstate).startswith("22"):
            return True
        seen = seen.__cause__
    return False


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require a valid bearer token under `/api/` and the role the endpoint declares."""
    if not request.path.startswith("/api/") or request.path in PUBLIC_API_PATHS:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return error_body(401, "unauthorized", "send Authorization: Bearer <token>")
    try:  # the token's current state: revoked, expired, disabled, the user's role now
        principal = await request.app[AUTH].check(secret.strip())
    except UnauthorizedError as err:
        return error_body(err.status, err.code, err.message)
    spec = spec_of(request.match_info.handler)
    if spec is not None and principal.role not in spec.roles:
        allowed = ", ".join(sorted(r.value for r in spec.roles))
        return error_body(403, "forbidden", f"this needs one of the roles: {allowed}")
    request[PRINCIPAL] = principal
    return await handler(request)


@web.middleware
async def input_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse path parameters and query parameters that no store can hold (a NUL, a lone
    surrogate, an integer beyond 64 bits): `invalid-id`, `invalid-query` (400), before any
    handler passes them to PostgreSQL."""
    route = request.match_info.route
    if isinstance(route.resource, web.DynamicResource):
        # PATCH /api/agents/me is not PATCH /api/agents/{agent_id}: a fixed path's own methods
        allowed = request.app.get(LITERAL_PATHS, {}).get(request.path)
        if allowed is not None:
            raise web.HTTPMethodNotAllowed(request.method, allowed.split(","))
    for name, value in request.match_info.items():
        if unstorable(value):
            raise InvalidInputError(f"{name} is not a valid identifier", code="invalid-id")
    problem = unstorable(list(request.query.items()), "query")
    if problem:
        raise InvalidInputError(problem, code="invalid-query")
    return await handler(request)


def literal_paths(app: web.Application) -> dict[str, str]:
    """The methods of each fixed path (for `input_middleware`; set once the routes exist)."""
    found: dict[str, set[str]] = {}
    for route in app.router.routes():
        if isinstance(route.resource, web.PlainResource):
            found.setdefault(route.resource.canonical, set()).add(route.method)
    return {path: ",".join(sorted(methods)) for path, methods in found.items()}


def metrics_middleware(registry: CollectorRegistry) -> Middleware:
    """Count requests and time them per route template (bounded label values)."""
    requests = Counter(
        "callcenter_http_requests",
        "HTTP requests",
        ["method", "route", "status"],
        registry=registry,
    )
    latency = Histogram(
        "callcenter_http_request_seconds",
        "HTTP request latency",
        ["method", "route"],
        registry=registry,
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    )

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as err:
            status = err.status
            raise
        finally:
            latency.labels(request.method, route).observe(time.perf_counter() - started)
            requests.labels(request.method, route, str(status)).inc()

    return middleware


def middlewares(registry: CollectorRegistry) -> list[Middleware]:
    """The app's middlewares, outermost first: metrics, errors to JSON, bearer auth and roles,
    then the check of path and query values no store could keep."""
    return [metrics_middleware(registry), error_middleware, auth_middleware, input_middleware]
