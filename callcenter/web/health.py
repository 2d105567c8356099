"""`/healthz` (the process is alive), `/readyz` (database, Redis and the AMI session),
`/metrics`."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from callcenter.core.errors import UnavailableError
from callcenter.state import redis as redis_state
from callcenter.storage import db
from callcenter.web.keys import AMI, ENGINE, METRICS, REDIS, SETTINGS


async def healthz(request: web.Request) -> web.Response:
    """Liveness: answers while the event loop runs."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 200 when both stores answer (and, with `asterisk.ami_host` set, the AMI
    session is logged in on the instance holding it), else 503 naming what failed."""
    app = request.app
    checks: dict[str, str] = {}
    try:
        await db.ping(app[ENGINE])
        checks["database"] = "ok"
    except UnavailableError as err:
        checks["database"] = err.message
    try:
        await redis_state.ping(app[REDIS], app[SETTINGS].redis.url)
        checks["redis"] = "ok"
    except UnavailableError as err:
        checks["redis"] = err.message
    failed = {name for name, value in checks.items() if value != "ok"}
    if AMI in app:
        ami_ready, checks["ami"] = app[AMI].readiness()
        if not ami_ready:
            failed.add("ami")
    ready = not failed
    body = {"status": "ready" if ready else "not-ready", "checks": checks}
    return web.json_response(body, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition of this process's metrics."""
    payload = generate_latest(request.app[METRICS])
    return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application) -> None:
    """Mount the three routes."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
