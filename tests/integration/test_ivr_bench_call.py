"""A benchmark caller against a small Twilio-like IVR: signed posts, the TwiML followed,
the hang-up posted; a refused post ends the call as an error."""

from __future__ import annotations

import time

from aiohttp import web
from aiohttp.test_utils import TestServer
from twilio.request_validator import RequestValidator

from bench.http_client import Connection
from bench.ivr_walk import Pacer, Tally, Walk, call

TOKEN = "bench0000000000000000000000000000"
MENU = (
    '<Response><Gather action="/step?n={n}" actionOnEmptyResult="true" numDigits="1">'
    "<Say>menu</Say></Gather></Response>"
)


def _ivr(seen: list[tuple[str, str, str]], refuse_at: int | None) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        url = f"http://127.0.0.1:{request.url.port}{request.path_qs}"
        signed = RequestValidator(TOKEN).validate(url, form, request.headers["X-Twilio-Signature"])
        if not signed or len(seen) == refuse_at:
            return web.Response(status=403)
        seen.append((request.path_qs, form.get("Digits", ""), form["CallStatus"]))
        if request.path == "/status":
            return web.Response(status=204)
        if len(seen) == 4:
            return web.Response(text="<Response><Enqueue>general</Enqueue></Response>")
        return web.Response(text=MENU.format(n=len(seen)), content_type="application/xml")

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    return app


async def _walk(refuse_at: int | None = None) -> tuple[list[tuple[str, str, str]], Tally]:
    seen: list[tuple[str, str, str]] = []
    tally = Tally()
    async with TestServer(_ivr(seen, refuse_at), host="127.0.0.1") as server:
        base = f"http://127.0.0.1:{server.port}"
        walk = Walk(f"{base}/voice", ["-", "2", "0"], TOKEN, ["+8613800000000"], f"{base}/status")
        http = Connection()
        try:
            await call(http, walk, 1, tally, Pacer(time.perf_counter() + 60, 0, 1))
        finally:
            http.close()
    return seen, tally


async def test_a_call_follows_the_gathers_then_hangs_up() -> None:
    seen, tally = await _walk()
    assert seen == [
        ("/voice", "", "ringing"),
        ("/step?n=1", "", "in-progress"),
        ("/step?n=2", "2", "in-progress"),
        ("/step?n=3", "0", "in-progress"),
        ("/status", "", "completed"),
    ]
    assert (len(tally.latencies), tally.errors) == (5, 0)


async def test_a_refused_post_ends_the_call_as_an_error() -> None:
    seen, tally = await _walk(refuse_at=2)
    assert [path for path, _, _ in seen] == ["/voice", "/step?n=1"]
    assert (len(tally.latencies), tally.errors) == (2, 1)
