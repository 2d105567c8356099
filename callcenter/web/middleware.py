"""The middlewares: errors to JSON with a stable code, bearer-token auth and roles, metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

from callcenter.auth.http import LOGIN_PATH
from callcenter.core.api import spec_of
from callcenter.core.errors import CallcenterError, TooManyRequestsError, UnauthorizedError
from callcenter.httpkit import PRINCIPAL
from callcenter.web.keys import AUTH

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
        return error_body(err.status, code, err.reason)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_body(500, "internal-error", "internal error; it has been logged")


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
