"""`/healthz` (the process is alive), `/readyz` (database, Redis, the AMI session and the
call-event journal's backlog), `/metrics`; and the fallbacks the telephony adapters answer
with when a store is down (issue 17)."""

from __future__ import annotations

from collections.abc import Awaitable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from callcenter.core.errors import UnavailableError
from callcenter.state import redis as redis_state
from callcenter.storage import db
from callcenter.telephony.twilio.fallback import FallbackPolicy
from callcenter.telephony.twilio.http import TwilioWebhooks
from callcenter.web.journal import JOURNAL_BACKLOG
from callcenter.web.keys import AMI, ENGINE, FASTAGI, METRICS, REDIS, SETTINGS


async def healthz(request: web.Request) -> web.Response:
    """Liveness: answers while the event loop runs."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 200 when both stores answer (and, with `asterisk.ami_host` set, the AMI
    session is logged in on the instance holding it), else 503 listing what is `down`; the
    journal's backlog, when there is one, is reported without failing readiness."""
    app = request.app
    checks = {
        "database": await _state(db.ping(app[ENGINE])),
        "redis": await _state(redis_state.ping(app[REDIS], app[SETTINGS].redis.url)),
    }
    failed = {name for name, value in checks.items() if value != "ok"}
    if AMI in app:
        ami_ready, checks["ami"] = app[AMI].readiness()
        if not ami_ready:
            failed.add("ami")
    journal = await _journal(app)
    if journal is not None:
        checks["journal"] = journal
    if not failed:
        return web.json_response({"status": "ready", "checks": checks})
    body = {"status": "not-ready", "checks": checks, "down": sorted(failed)}
    return web.json_response(body, status=503)


async def _state(ping: Awaitable[object]) -> str:
    """`ok`, or why the store does not answer (never an exception)."""
    try:
        await ping
    except UnavailableError as err:
        return err.message
    except Exception as err:  # a store failing in a way its adapter does not translate
        return f"down ({type(err).__name__})"
    return "ok"


async def _journal(app: web.Application) -> str | None:
    """The call-event journal's backlog, when the app has a journal."""
    backlog = app.get(JOURNAL_BACKLOG)
    if backlog is None:
        return None
    value = backlog.pending()
    return "ok" if value == 0 else f"{value} events waiting to be written"


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition of this process's metrics."""
    payload = generate_latest(request.app[METRICS])
    return web.Response(body=payload, headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup(app: web.Application) -> None:
    """Mount the three routes."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


def setup_fallbacks(app: web.Application, webhooks: TwilioWebhooks) -> None:
    """Issue 17: the configured fallbacks of the Twilio webhooks and of the FastAGI server
    (started later, by its cleanup context) when a store fails behind them."""
    settings = app[SETTINGS]
    policy = FallbackPolicy(settings.twilio.fallback_number, settings.twilio.fallback_retries)
    webhooks.fallback.policy = policy
    app.on_startup.append(_fastagi_fallback)


async def _fastagi_fallback(app: web.Application) -> None:
    if FASTAGI in app:
        app[FASTAGI].fallback.number = app[SETTINGS].asterisk.fallback_number
