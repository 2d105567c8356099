"""Benchmark: schemathesis over the whole OpenAPI document, on PostgreSQL and Redis, for long.

    python bench/api_fuzz.py [--examples 200] [--minutes 10] [--seed 18]
                             [--postgres-url postgresql+asyncpg://...] [--redis-url redis://...]

Without the URLs it starts a throwaway PostgreSQL and Redis (the Debian `postgresql` and
`redis-server` packages must be installed). The app runs in this process on a free loopback
port, with the demo data loaded; schemathesis runs every check and every phase (examples,
coverage, fuzzing, stateful) as an admin, `--examples` per operation and phase, until done or
`--minutes` have passed. It prints the requests sent, the failures by check, the server
errors (5xx) and the time taken, then the first failures in full.
Target (issue 18): 0 server errors and 0 check failures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web

from bench import pg_database
from callcenter.app import create_app
from callcenter.config import load_settings
from callcenter.devtools.api_fuzz import FUZZ_ENV, FuzzBudget, FuzzReport, fuzz_app
from callcenter.devtools.servers import free_port, redis_server
from callcenter.storage import db, migrate


@contextlib.contextmanager
def redis(url: str | None) -> Iterator[str]:
    """`url`, or a throwaway server's while it runs."""
    if url:
        yield url
    else:
        with redis_server() as started:
            yield started


async def fuzz(database_url: str, redis_url: str, budget: FuzzBudget) -> FuzzReport:
    """Migrate, start the app on a free port, fuzz it, stop it."""
    engine = db.create_engine(database_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    env = {
        "CALLCENTER_DATABASE__URL": database_url,
        "CALLCENTER_REDIS__URL": redis_url,
        "CALLCENTER_STORAGE__JOURNAL_DIR": tempfile.mkdtemp(prefix="cc-fuzz-journal-"),
    }
    app = create_app(load_settings(None, env | FUZZ_ENV))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        return await fuzz_app(app, f"http://127.0.0.1:{port}", budget)
    finally:
        await runner.cleanup()


async def main(args: argparse.Namespace) -> int:
    budget = FuzzBudget(args.examples, args.seed, int(args.minutes * 60), args.steps)
    with pg_database.server(args.postgres_url) as admin, redis(args.redis_url) as redis_url:
        async with pg_database.database(admin) as url:
            report = await fuzz(url, redis_url, budget)
    print(report.summary(), flush=True)
    return 1 if report.server_errors or report.failures or report.errors else 0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="per operation and phase")
    parser.add_argument("--minutes", type=float, default=10.0, help="stop after this long")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--steps", type=int, default=20, help="stateful steps per scenario")
    parser.add_argument("--postgres-url", help="an admin URL; else a throwaway server")
    parser.add_argument("--redis-url", help="else a throwaway server")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
