"""The `callcenter` command line: serve, db, demo, check, user, token."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from callcenter import checks, cli_admin, cli_audit, cli_campaigns, cli_users, logs
from callcenter import demo as seed
from callcenter.app import create_app
from callcenter.auth.passwords import Passwords
from callcenter.auth.service import AuthService
from callcenter.config import Settings, load_settings
from callcenter.config_sources import ENV_TOKEN
from callcenter.core.clock import SystemClock
from callcenter.core.errors import CallcenterError, ConfigError
from callcenter.demo_banner import announce_demo
from callcenter.redact import clean
from callcenter.simulate import simulate
from callcenter.simulator.command import ServerSimulation, simulate_on_server
from callcenter.state import redis as redis_state
from callcenter.storage import db, migrate
from callcenter.storage.users import SqlCredentialStore
from callcenter.telephony.asterisk.tts import EspeakTts, TtsError, render_all, static_prompts
from callcenter.web import workers
from ivr_flows.loader import FlowError, default_flow_files, load_flows

log = logging.getLogger(__name__)

EXIT_FAILURE = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callcenter", description="Utility hotline contact-centre backend (95598-style)."
    )
    config_help = "TOML file (default: $CALLCENTER_CONFIG, else the built-in defaults)"
    parser.add_argument("--config", help=config_help)
    common = argparse.ArgumentParser(add_help=False)  # --config also after the command
    common.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, parents=[common])

    serve = command("serve", "run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes sharing the port (default 1)"
    )
    dbp = command("db", "database schema")
    dbp.add_argument("action", choices=["upgrade", "current"])
    demo = command("demo", "demo data")
    demo.add_argument("action", choices=["seed"])
    demo.add_argument("--customers", type=int, default=None, help="how many customers to add")
    demo.add_argument("--seed", type=int, default=None, help="random seed (deterministic data)")
    command("check", "report configuration and connectivity")
    cli_users.add_commands(command)  # user, token
    ivr = command("ivr", "IVR flows")
    ivr.add_argument("action", choices=["check", "simulate"])
    ivr.add_argument("files", nargs="*", help="check: flow files (default: the shipped flows)")
    ivr.add_argument("--from", dest="caller", help="simulate: the calling number")
    ivr.add_argument(
        "--press",
        help='simulate: keys, e.g. "1 2#"; "-" is silence, '
        '"say:text" speech; interactive when absent',
    )
    ivr.add_argument("--lang", help="simulate: start in this language (e.g. en-US)")
    ivr.add_argument(
        "--server",
        help="simulate: drive this running server's Twilio webhooks (e.g. http://127.0.0.1:8080) "
        "so the call can reach an agent's desk",
    )
    ivr.add_argument(
        "--token", help="simulate --server: an operator or admin API token ($CALLCENTER_TOKEN)"
    )
    ivr.add_argument(
        "--hangup-after",
        type=float,
        metavar="SECONDS",
        help="simulate --server: hang up after waiting this long (queue, ringing, talking)",
    )
    prompts = command("prompts", "spoken prompts for Asterisk")
    prompts.add_argument("action", choices=["render"])
    cli_admin.add_commands(command)
    cli_campaigns.add_commands(command)
    cli_audit.add_commands(command)  # issue 18 (audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config, os.environ)
    except ConfigError as err:
        print(f"callcenter: {err.message}", file=sys.stderr)
        return EXIT_USAGE
    logs.install(settings.logging)
    command = COMMANDS[args.command]
    try:
        return command(settings, args)
    except CallcenterError as err:
        print(f"callcenter: {err.message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, ConfigError) else EXIT_FAILURE
    except FlowError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("callcenter: the IVR flows have problems; nothing was started", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except Exception as err:  # the last line of defence: one line for the user, details in the log
        log.debug("command %s failed", args.command, exc_info=True)
        said = clean(f"{type(err).__name__}: {err}")  # a database error may quote a phone number
        print(f"callcenter: {args.command} failed: {said}", file=sys.stderr)
        return EXIT_FAILURE


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    server = settings.server.model_copy(
        update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    )
    settings = settings.model_copy(update={"server": server})
    workers.check(settings, args.workers)
    print(
        f"callcenter: database {settings.database_url_masked}, "
        f"redis {redis_state.masked(settings.redis.url)}",
        file=sys.stderr,
    )
    for warning in settings.warnings():
        print(f"callcenter: warning: {warning}", file=sys.stderr)
    return workers.serve(settings, args.workers, partial(create_app, announce=print), _say)


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _run(body: Callable[[], Coroutine[Any, Any, int]]) -> int:
    return asyncio.run(body())


def _db(settings: Settings, args: argparse.Namespace) -> int:
    async def body() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            await db.ping(engine)
            if args.action == "upgrade":
                await migrate.upgrade(engine)
            current = await migrate.current_revision(engine)
            print(
                f"database {settings.database_url_masked} at revision {current} "
                f"(newest: {migrate.head_revision()})"
            )
        finally:
            await engine.dispose()
        return 0

    return _run(body)


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    count = settings.demo.customers if args.customers is None else args.customers
    if count < 0:
        raise ConfigError("--customers must be 0 or more")
    seed_value = settings.demo.seed if args.seed is None else args.seed

    async def body() -> int:
        clock = SystemClock()
        engine = db.create_engine(settings.database_url, pool_size=settings.database.pool_size)
        try:
            await db.ping(engine)
            await migrate.upgrade(engine)
            logins = None
            if not await seed.has_users(engine):
                passwords = Passwords(n=settings.security.password_scrypt_n)
                auth = AuthService(SqlCredentialStore(engine), clock, passwords=passwords)
                logins = await seed.seed_people(engine, auth)
                await seed.seed_outages(engine, clock.now())
            bar = ProgressBar(count, "customers", sys.stderr)
            done = await seed.seed_customers(
                engine, count, seed_value, _local_today(settings), bar.update
            )
            bar.finish()
            if logins is not None:
                base = f"http://{settings.server.host}:{settings.server.port}"
                examples = await seed.example_numbers(engine)
                data_dir = Path(settings.server.data_dir)
                print(announce_demo(logins, examples, base, data_dir))
            print(f"added {done} customers (seed {seed_value})")
        finally:
            await engine.dispose()
        return 0

    return _run(body)


def _local_today(settings: Settings) -> date:

    return datetime.now(ZoneInfo(settings.server.timezone)).date()


class ProgressBar:
    """A one-line progress bar on a terminal (or plain lines in a log)."""

    def __init__(self, total: int, unit: str, out: TextIO) -> None:
        self._total = max(total, 1)
        self._unit = unit
        self._out = out
        self._start = time.monotonic()

    def update(self, done: int) -> None:
        """Redraw for `done` items."""
        width = 30
        filled = int(width * done / self._total)
        elapsed = time.monotonic() - self._start
        rate = done / elapsed if elapsed > 0 else 0.0
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{self._total} {self._unit} "
            f"{elapsed:5.1f}s {rate:,.0f}/s"
        )
        end = "\r" if self._out.isatty() else "\n"
        self._out.write(line + end)
        self._out.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self._out.isatty():
            self._out.write("\n")


def _check(settings: Settings, args: argparse.Namespace) -> int:
    return 0 if _run(lambda: checks.run(settings, print)) else EXIT_FAILURE


def _ivr(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "simulate":
        if not args.caller:
            raise ConfigError("ivr simulate needs --from NUMBER")

        def ask() -> str | None:
            try:
                return input("keys> ")
            except EOFError:
                return None

        if args.server:
            token = args.token or os.environ.get(ENV_TOKEN)
            call = ServerSimulation(
                args.server, token, args.caller, args.press, args.lang, args.hangup_after
            )
            return simulate_on_server(call, ask, print)
        if args.token or args.hangup_after is not None:
            raise ConfigError("--token and --hangup-after go with --server")
        return _run(lambda: simulate(settings, args.caller, args.press, args.lang, ask, print))
    paths = [Path(f) for f in args.files] or default_flow_files(settings.ivr.flows_dir)
    try:
        flows = load_flows(paths)
    except FlowError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"callcenter: {len(err.problems)} problem(s) in the flows", file=sys.stderr)
        return EXIT_FAILURE
    for flow in flows.values():
        print(
            f"ok {flow.source}: flow {flow.name!r}, {len(flow.nodes)} nodes, "
            f"languages {', '.join(flow.languages)}"
        )
    return 0


def _prompts(settings: Settings, args: argparse.Namespace) -> int:
    flows = load_flows(default_flow_files(settings.ivr.flows_dir))
    prompts = static_prompts(flows.values())
    target = settings.prompts_dir
    try:
        count = _run(lambda: render_all(EspeakTts(target), prompts))
    except (TtsError, OSError) as err:
        raise ConfigError(f"prompts not rendered into {target}: {err}") from err
    print(f"rendered {count} prompts of {len(flows)} flows into {target}")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": _serve,
    "db": _db,
    "demo": _demo,
    "check": _check,
    "ivr": _ivr,
    "prompts": _prompts,
    **cli_admin.COMMANDS,
    **cli_campaigns.COMMANDS,
    **cli_audit.COMMANDS,
    **cli_users.COMMANDS,
}
