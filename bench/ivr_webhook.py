"""Benchmark: simulated callers walking the 95598 menu over signed Twilio webhooks.

    python bench/ivr_webhook.py [--calls 4000] [--concurrency 64]
                                [--postgres-url URL --redis-url URL]

Starts a throwaway PostgreSQL and Redis (unless given), the callcenter server in its own
process on them (demo data: 2,000 customers), and drives concurrent calls: incoming call,
silence at the language menu, 2 (bill), 1 (hear again), 9 (main menu), 0 (agent). Every
request is signed as Twilio signs it. It prints steps/s and p50/p99 at full load, p50/p99
at half that rate (paced), and the same full-load run against a bare aiohttp handler that
returns constant TwiML (the ceiling), with the ratio.
Targets (issue 3): >= 1,500 steps/s, p99 < 25 ms at half the max rate, ratio >= 0.35.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import asyncpg
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcenter.devtools.servers import free_port, postgres_server, redis_server  # noqa: E402

TOKEN = "bench0000000000000000000000000000"
PATH = ["/twilio/voice", "-", "2", "1", "9", "0"]
CEILING_APP = """
import sys
from aiohttp import web
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>hello</Say></Response>'
async def handle(request):
    await request.post()
    return web.Response(text=TWIML, content_type="application/xml")
app = web.Application()
app.router.add_post("/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


@contextlib.contextmanager
def process(argv: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Load:
    """Concurrent callers; each step's latency is kept."""

    def __init__(self, base: str, phones: list[str], real_flow: bool) -> None:
        self.base = base
        self.phones = phones
        self.real_flow = real_flow
        self.validator = RequestValidator(TOKEN)
        self.latencies: list[float] = []
        self.errors = 0

    async def call(self, http: aiohttp.ClientSession, n: int, pace: float) -> None:
        params = {
            "CallSid": f"CA{n:032x}",
            "AccountSid": "AC" + "0" * 32,
            "From": random.choice(self.phones),
            "To": "+861095598",
            "CallStatus": "ringing",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        action = "/twilio/voice"
        for key in PATH:
            form = dict(params)
            if key not in ("/twilio/voice", "-"):
                form["Digits"] = key
            url = action if action.startswith("http") else self.base + action  # TwiML: absolute
            signature = self.validator.compute_signature(url, form)
            started = time.perf_counter()
            async with http.post(url, data=form, headers={"X-Twilio-Signature": signature}) as r:
                body = await r.text()
                if r.status != 200:
                    self.errors += 1
                    return
            self.latencies.append(time.perf_counter() - started)
            if self.real_flow and 'action="' in body:
                action = body.split('action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            if pace:
                await asyncio.sleep(pace)

    async def run(self, calls: int, concurrency: int, pace: float = 0.0) -> float:
        counter = iter(range(calls))
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def worker() -> None:
                for n in counter:
                    await self.call(http, n + random.randrange(1 << 40), pace)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - started

    def report(self, name: str, seconds: float) -> float:
        rate = len(self.latencies) / seconds
        print(
            f"{name:<34} {rate:8,.0f} steps/s   p50 {percentile(self.latencies, 50) * 1000:6.2f} ms"
            f"   p99 {percentile(self.latencies, 99) * 1000:6.2f} ms   errors {self.errors}"
        )
        return rate


async def phones_of(pg_url: str) -> list[str]:
    conn = await asyncpg.connect(pg_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch("SELECT phone FROM account_phones LIMIT 5000")
    finally:
        await conn.close()
    return [r["phone"] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--postgres-url")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        pg = args.postgres_url or stack.enter_context(postgres_server())
        redis = args.redis_url or stack.enter_context(redis_server())
        port = free_port()
        env = os.environ | {
            "CALLCENTER_DATABASE__URL": pg,
            "CALLCENTER_REDIS__URL": redis,
            "CALLCENTER_DATABASE__POOL_SIZE": "20",
            "CALLCENTER_LOGGING__LEVEL": "WARNING",
            "CALLCENTER_SERVER__PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "TWILIO_AUTH_TOKEN": TOKEN,
        }
        with process([sys.executable, "-m", "callcenter", "serve", "--port", str(port)], env, port):
            phones = asyncio.run(phones_of(pg))
            base = f"http://127.0.0.1:{port}"
            asyncio.run(Load(base, phones, True).run(200, args.concurrency))  # warm-up
            full = Load(base, phones, True)
            rate = full.report(
                "server, full load", asyncio.run(full.run(args.calls, args.concurrency))
            )
            paced = Load(base, phones, True)
            pace = args.concurrency / (rate / 2)  # each caller waits so the total is ~rate/2
            seconds = asyncio.run(paced.run(max(args.calls // 2, 200), args.concurrency, pace))
            paced.report("server, paced at half that rate", seconds)
        ceiling_port = free_port()
        with process(
            [sys.executable, "-c", CEILING_APP, str(ceiling_port)], dict(os.environ), ceiling_port
        ):
            bare = Load(f"http://127.0.0.1:{ceiling_port}", phones, False)
            ceiling = bare.report(
                "ceiling: constant TwiML handler",
                asyncio.run(bare.run(args.calls, args.concurrency)),
            )
        print(f"ratio server / ceiling: {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
