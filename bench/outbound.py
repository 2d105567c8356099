"""Benchmark: one outage campaign over every customer, dialled through a fake Twilio REST API,
with the dialer killed (-9) half-way and restarted.

    python bench/outbound.py [--customers 1000000] [--postgres-only | --embedded-only]
                             [--call-records] [--postgres-url postgresql+asyncpg://...]

For each backend (PostgreSQL: a throwaway server unless --postgres-url; SQLite: a file in a
temporary directory, the embedded default) it loads the customers (`bench/outbound_seed.py`),
creates an outage-notice campaign on the outage that covers them all and starts it (the
target build, timed), then runs the fake API (`bench/outbound_fake.py`) and the dialer
(`bench/outbound_dialer.py`), each in its own process. At 50 % of the calls created the
dialer is killed with SIGKILL and started again; it runs to the end. It prints the build
time, the call starts a second at the fake, the dialer's peak RSS (sampled from /proc), and
the fake's ledger checked against the attempts: no attempt key or target dialled twice, and
every target placed (with the call the fake created) or `uncertain` (for a person).
Targets (issue 13): build <= 60 s, >= 1,000 call starts/s, RSS <= 300 MB and flat,
0 duplicate dials, every target accounted for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy import select

from bench.outbound_dialer import CALLER_ID
from bench.outbound_fake import ACCOUNT_SID, AUTH_TOKEN
from bench.outbound_seed import bench_pack, phone_of, seed
from callcenter.campaigns.wiring import OutboundStores
from callcenter.core.clock import SystemClock
from callcenter.devtools.servers import free_port, postgres_server
from callcenter.storage import db, migrate
from callcenter.storage.outbound_tables import campaign_attempts
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.gateway import DialRequest
from outbound.models import (
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)

HERE = Path(__file__).resolve().parent
BUILD_TARGET_S, RATE_TARGET, RSS_TARGET_MB = 60.0, 1000.0, 300.0


@dataclass(slots=True)
class DialerRun:
    """One dialer process: calls created at the fake while it ran, and its RSS samples."""

    started: float
    ended: float = 0.0
    calls_before: int = 0
    calls_after: int = 0
    first_call: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    killed: bool = False

    @property
    def rate(self) -> float:
        """Call starts a second, from its first call created to its end."""
        span = self.ended - (self.first_call or self.started)
        return (self.calls_after - self.calls_before) / span if span > 0 else 0.0


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:
        data: bytes = answer.read()
        return data


def fake_count(api: str) -> int:
    return int(json.loads(fetch(f"{api}/_bench/stats"))["count"])


@contextlib.contextmanager
def fake_api() -> Iterator[str]:
    """The fake Twilio REST API in its own process; its base URL."""
    port = free_port()
    argv = [sys.executable, str(HERE / "outbound_fake.py"), "--port", str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fake_count(api)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield api
    finally:
        proc.terminate()
        proc.wait()


def run_dialer(argv: list[str], api: str, kill_at: int | None) -> DialerRun:
    """Run the dialer until it exits, or SIGKILL it once the fake has `kill_at` calls."""
    before = fake_count(api)
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    run = DialerRun(time.monotonic(), calls_before=before)
    shown = run.started
    while proc.poll() is None:
        time.sleep(0.2)
        run.rss_mb.append(rss_mb(proc.pid))
        count = fake_count(api)
        if time.monotonic() - shown >= 30:
            shown = time.monotonic()
            print(f"  {count:,} calls at the fake, dialer RSS {run.rss_mb[-1]:.0f} MB", flush=True)
        if count > before and not run.first_call:
            run.first_call = time.monotonic()
        if kill_at is not None and count >= kill_at:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            run.killed = True
    run.ended = time.monotonic()
    run.calls_after = fake_count(api)
    if not run.killed and proc.returncode != 0:
        raise SystemExit(f"the dialer exited with {proc.returncode}")
    return run


async def prepare(url: str, customers: int) -> tuple[int, int, float, float]:
    """Load the town, create the campaign and start it: (campaign id, targets, load s, build s)."""
    engine = db.create_engine(url)
    clock = SystemClock()
    try:
        await migrate.upgrade(engine)
        started = time.perf_counter()
        outage_id = await seed(engine, customers, clock.now())
        loaded = time.perf_counter() - started
        service = OutboundStores.on(engine, bench_pack(), "Asia/Shanghai").campaign_service(
            bench_pack(), clock
        )
        query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
        new = NewCampaign(
            "bench outage notice", CampaignType.OUTAGE_NOTICE, GatewayKind.TWILIO, query
        )
        campaign = await service.create(new)
        started = time.perf_counter()
        await service.start(campaign.campaign.id)
        built = time.perf_counter() - started
        targets = (await service.status(campaign.campaign.id)).counts.targets
        return campaign.campaign.id, targets, loaded, built
    finally:
        await engine.dispose()


async def attempts_of(url: str, campaign_id: int) -> list[tuple[str, str, str | None, str | None]]:
    """(key, state, result, provider id) of every attempt of the campaign."""
    a = campaign_attempts
    engine = db.create_engine(url)
    query = select(a.c.target_id, a.c.attempt_no, a.c.state, a.c.result, a.c.provider_id).where(
        a.c.campaign_id == campaign_id
    )
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
    finally:
        await engine.dispose()
    return [(f"{campaign_id}:{r[0]}:{r[1]}", r[2], r[3], r[4]) for r in rows]


def check(
    ledger: list[tuple[str, str]], attempts: list[tuple[str, str, str | None, str | None]]
) -> dict[str, int]:
    """The ledger against the attempts."""
    keys = Counter(k for k, _ in ledger)
    targets = Counter(k.rsplit(":", 1)[0] for k, _ in ledger)
    sid_of = dict(ledger)
    placed = sum(1 for k, state, _, sid in attempts if state == "placed" and sid_of.get(k) == sid)
    uncertain = sum(1 for _, state, result, _ in attempts if result == "uncertain")
    per_target = Counter(k.rsplit(":", 1)[0] for k, *_ in attempts)
    return {
        "calls at the gateway": len(ledger),
        "duplicate attempt keys": sum(n - 1 for n in keys.values() if n > 1),
        "targets dialled twice": sum(1 for n in targets.values() if n > 1),
        "calls with no attempt": len(keys.keys() - {a[0] for a in attempts}),
        "placed (call matches the ledger)": placed,
        "uncertain (for a person)": uncertain,
        "unaccounted": len(per_target) - placed - uncertain,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


async def ceiling(api: str, calls: int) -> None:
    """`TwilioGateway` alone placing `calls` calls into the fake at once (no database): what
    this machine allows the dialer at all."""
    config = TwilioOutboundConfig(
        ACCOUNT_SID, AUTH_TOKEN, "http://bench.invalid", api, calls_per_second=0, max_in_flight=100
    )
    gateway = TwilioGateway(config)
    await gateway.open()
    requests = [
        DialRequest(f"0:{n}:1", n, phone_of(n), CALLER_ID, CampaignType.OUTAGE_NOTICE, "ceiling")
        for n in range(calls)
    ]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(gateway.place(r) for r in requests))
    finally:
        await gateway.close()
    rate = calls / (time.perf_counter() - started)
    print(f"ceiling: TwilioGateway alone into the fake: {rate:,.0f} call starts/s", flush=True)


def report(built: float, first: DialerRun, second: DialerRun, found: dict[str, int]) -> None:
    """Print the figures, one a line, with pass or fail against the targets."""
    total = second.calls_after
    span = (first.ended - first.first_call) + (second.ended - (second.first_call or second.started))
    rate = total / span if span > 0 else 0.0
    peak = max(first.rss_mb + second.rss_mb)
    early = first.rss_mb[max(0, len(first.rss_mb) // 5 - 1)]
    dupes = sum(found[k] for k in ("duplicate attempt keys", "targets dialled twice"))
    dupes += found["calls with no attempt"]
    lines = [
        f"target build: {built:.1f} s  [{verdict(built <= BUILD_TARGET_S)} <= 60 s]",
        f"dispatch: {rate:,.0f} call starts/s  [{verdict(rate >= RATE_TARGET)} >= 1,000/s]",
        f"dispatch before the kill: {first.rate:,.0f}/s ({first.calls_after:,} calls)",
        f"dispatch after the restart: {second.rate:,.0f}/s ({total - first.calls_after:,} calls)",
        f"restart to its first call: {(second.first_call or second.ended) - second.started:.1f} s",
        f"dialer RSS: peak {peak:.0f} MB  [{verdict(peak <= RSS_TARGET_MB)} <= 300 MB]",
        f"dialer RSS at a fifth of the first run: {early:.0f} MB (flat: peak - this)",
        *(f"{name}: {value:,}" for name, value in found.items()),
        f"duplicate dials: {dupes}  [{verdict(dupes == 0)}]",
        f"every target accounted for: [{verdict(found['unaccounted'] == 0)}]",
    ]
    print("\n".join(lines), flush=True)


async def bench(url: str, backend: str, args: argparse.Namespace) -> None:
    records = "with" if args.call_records else "without"
    print(f"== {backend}: {args.customers:,} customers, {records} call records", flush=True)
    campaign_id, targets, loaded, built = await prepare(url, args.customers)
    print(f"load: {args.customers:,} customers in {loaded:.1f} s", flush=True)
    print(f"targets built: {targets:,} in {built:.1f} s", flush=True)
    with fake_api() as api:
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        argv = [sys.executable, *profile, str(HERE / "outbound_dialer.py"), "--db-url", url]
        argv += ["--campaign", str(campaign_id), "--api", api, "--round", str(args.round)]
        argv += ["--call-records"] if args.call_records else []
        first = run_dialer(argv, api, kill_at=targets // 2)
        print(f"dialer killed (SIGKILL) at {first.calls_after:,} calls; restarted", flush=True)
        second = run_dialer(argv, api, kill_at=None)
        text = fetch(f"{api}/_bench/ledger").decode()
        await ceiling(api, min(targets, 20_000))
    ledger = [(key, sid) for key, sid in (line.split("\t") for line in text.splitlines())]
    report(built, first, second, check(ledger, await attempts_of(url, campaign_id)))


async def new_database(admin_url: str) -> str:
    admin = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    name = f"cc_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--round", type=int, default=2000, help="calls claimed per dialer round")
    parser.add_argument("--call-records", action="store_true", help="open a call record per call")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--postgres-only", action="store_true")
    only.add_argument("--embedded-only", action="store_true")
    parser.add_argument("--profile", help="write the restarted dialer's cProfile here")
    parser.add_argument("--postgres-url", help="an admin URL; default: a throwaway server")
    args = parser.parse_args()
    if args.customers < 2:
        parser.error("--customers must be at least 2")
    if not args.embedded_only:
        with contextlib.ExitStack() as stack:
            admin = args.postgres_url or stack.enter_context(postgres_server())
            url = asyncio.run(new_database(admin))
            asyncio.run(bench(url, "PostgreSQL", args))
    if not args.postgres_only:
        with tempfile.TemporaryDirectory(prefix="cc-bench-") as root:
            asyncio.run(bench(f"sqlite+aiosqlite:///{root}/bench.db", "SQLite (embedded)", args))


if __name__ == "__main__":
    main()
