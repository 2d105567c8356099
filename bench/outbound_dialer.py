"""The outbound benchmark's dialer process: the product's dialer (`outbound.dialer.Dialer`
driven by `outbound.driver.drive`, the SQL stores of `OutboundStores`) placing one
campaign's calls through `TwilioGateway` pointed at the fake REST API, until nothing is due,
claimed or sending. The gateway's limits are lifted: no calls-per-second spacing, and the
concurrency caps at the campaign's size (the fake never ends a call, so every placed call
stays in flight). It prints one JSON line per second of progress and one at the end.

    python bench/outbound_dialer.py --db-url URL --campaign 1 --api http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.outbound_fake import ACCOUNT_SID, AUTH_TOKEN
from bench.outbound_seed import bench_pack
from callcenter.callflow.ending import CallEnding
from callcenter.calls.service import CallService
from callcenter.campaigns.calls import CallRecordLog
from callcenter.campaigns.runtime import UNLIMITED
from callcenter.campaigns.wiring import OutboundStores
from callcenter.core.clock import SystemClock
from callcenter.storage import db
from callcenter.storage.calls import SqlCallRepository
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.dialer import Dialer, DialerSettings, RoundReport
from outbound.driver import drive
from outbound.models import CampaignCounts
from outbound.pacing import PacingLimits
from outbound.ports import OutboundCallLog

CALLER_ID = "+861095598"
DISPATCHING = ("due", "claimed", "sending")


class Dispatched(Exception):
    """Every attempt is placed or settled: the bench's dialer is done."""


def call_log(engine: AsyncEngine, clock: SystemClock) -> OutboundCallLog:
    """The server's call-record log; `finished` (never called here: no results come) would
    need the call-ending use case, which needs the IVR and the ACD."""
    return CallRecordLog(CallService(SqlCallRepository(engine), clock), cast(CallEnding, None))


async def run(args: argparse.Namespace) -> None:
    engine = db.create_engine(args.db_url, pool_size=4)
    clock = SystemClock()
    pack = bench_pack()
    stores = OutboundStores.on(engine, pack, "Asia/Shanghai")
    calls = call_log(engine, clock) if args.call_records else None
    config = TwilioOutboundConfig(
        ACCOUNT_SID,
        AUTH_TOKEN,
        "http://bench.invalid",
        api_base_url=args.api,
        calls_per_second=0,
        max_in_flight=args.in_flight,
    )
    gateway = TwilioGateway(config)
    await gateway.open()
    big = 10**9
    limits = PacingLimits(UNLIMITED, big, big, burst=args.round)
    settings = DialerSettings(CALLER_ID, limits, claimer=f"bench:{os.getpid()}")
    dialer = Dialer(
        args.campaign, stores.dialer_ports(calls), gateway, pack.outbound, settings, clock
    )
    placed = 0
    last = [0.0]

    def progress(report: RoundReport, counts: CampaignCounts) -> None:
        nonlocal placed
        placed += report.placed
        now = time.monotonic()
        if now - last[0] >= 1:
            last[0] = now
            print(json.dumps({"placed": placed, "waiting": counts.waiting}), flush=True)
        if not any(counts.waiting.get(state, 0) for state in DISPATCHING):
            raise Dispatched

    try:
        await drive(
            dialer,
            clock,
            sleep=asyncio.sleep,
            tick_seconds=args.tick_ms / 1000,
            reconcile_seconds=5,
            progress=progress,
        )
    except Dispatched:
        print(json.dumps({"done": True, "placed": placed}), flush=True)
    finally:
        await gateway.close()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--campaign", type=int, required=True)
    parser.add_argument("--api", required=True, help="the fake Twilio REST API's base URL")
    parser.add_argument("--round", type=int, default=2000, help="calls claimed per round")
    parser.add_argument("--in-flight", type=int, default=100, help="REST requests at once")
    parser.add_argument("--tick-ms", type=int, default=10)
    parser.add_argument("--call-records", action="store_true", help="open call records too")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
