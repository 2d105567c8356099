"""`callcenter serve --workers N`: N server processes sharing one port (SO_REUSEPORT).

The kernel spreads the connections over the processes, each with its own app, event loop,
SQL pool and Redis client. The first worker starts alone (it runs the migrations and loads
the demo data), the others once it listens; the command says it listens once they all do.
What must run once per deployment stays in the first worker: the routing loop and its
sweeps (`[routing] run_router`), the dialer and its follow-ups (`[outbound] run_dialer`) and
the FastAGI listener; the AMI session is under a Redis lease anyway. The shared state must
therefore be a real Redis: `memory://` is private to one process and is refused. When a
worker exits, the others are stopped and the command fails.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from types import FrameType
from typing import Any

from aiohttp import web

from callcenter import logs
from callcenter.config import Settings
from callcenter.core.errors import ConfigError
from callcenter.state.redis import MEMORY_SCHEME
from callcenter.web.access_log import MaskedAccessLogger
from callcenter.web.heap import settle_heap

log = logging.getLogger(__name__)

MAX_WORKERS = 64
START_SECONDS = 300.0  # the first worker may migrate and load the demo data before it listens
STOP_SECONDS = 30.0

MakeApp = Callable[[Settings], web.Application]
Say = Callable[[str], None]


def check(settings: Settings, workers: int) -> None:
    """Refuse a worker count this configuration cannot run (a `ConfigError`: exit 2)."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"--workers: expected 1 to {MAX_WORKERS}, got {workers}")
    if workers > 1 and settings.redis.url.startswith(MEMORY_SCHEME):
        raise ConfigError(
            "--workers > 1 needs a shared Redis: the embedded memory:// store is private to one "
            "process (set redis.url or CALLCENTER_REDIS__URL to a redis:// server)"
        )


def worker_settings(settings: Settings, index: int) -> Settings:
    """The settings of worker `index`: only worker 0 runs the once-per-deployment jobs."""
    if index == 0:
        return settings
    return settings.model_copy(
        update={
            "routing": settings.routing.model_copy(update={"run_router": False}),
            "outbound": settings.outbound.model_copy(update={"run_dialer": False}),
            "asterisk": settings.asterisk.model_copy(update={"fastagi_listen": ""}),
            "database": settings.database.model_copy(update={"migrate_on_start": False}),
            "demo": settings.demo.model_copy(update={"load_on_first_start": False}),
        }
    )


def serve(settings: Settings, workers: int, make_app: MakeApp, say: Say) -> int:
    """Run the server in this process (1 worker) or in `workers` processes; exit status."""
    check(settings, workers)
    host, port = settings.server.host, settings.server.port
    listening = f"callcenter: listening on http://{host}:{port}"
    if workers == 1:
        _run(make_app(settings), settings, lambda _: say(f"{listening} (Ctrl-C to stop)"))
        return 0
    context = multiprocessing.get_context("fork")  # the parent has no loop or thread yet
    procs: list[BaseProcess] = []
    try:
        for batch in ([0], range(1, workers)):  # the first alone: it migrates
            started = [_start(context, make_app, worker_settings(settings, i)) for i in batch]
            procs += [proc for proc, _ in started]
            for proc, ready in started:
                _wait_ready(proc, ready, port)
        say(f"{listening} with {workers} workers (Ctrl-C to stop)")
        return _supervise(procs)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(procs)


def _start(context: Any, make_app: MakeApp, settings: Settings) -> tuple[BaseProcess, Event]:
    ready: Event = context.Event()
    proc: BaseProcess = context.Process(target=_worker, args=(make_app, settings, ready))
    proc.start()
    return proc, ready


def new_loop(choice: str) -> asyncio.AbstractEventLoop:
    """The event loop `[server] event_loop` asks for: uvloop, asyncio, or uvloop when it is
    installed (auto)."""
    if choice == "uvloop" or (choice == "auto" and importlib.util.find_spec("uvloop")):
        try:
            import uvloop
        except ImportError as err:
            raise ConfigError("[server] event_loop = uvloop, but uvloop is not installed") from err
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def _run(app: web.Application, settings: Settings, say: Say | None, reuse: bool = False) -> None:
    app.on_startup.append(settle_heap)  # after every other start-up hook
    web.run_app(
        app,
        loop=new_loop(settings.server.event_loop),
        host=settings.server.host,
        port=settings.server.port,
        print=say,
        access_log_class=MaskedAccessLogger,
        reuse_port=reuse or None,
    )


def _worker(make_app: MakeApp, settings: Settings, ready: Event) -> None:
    logs.install(settings.logging)  # forked with the parent's handler; made anew all the same
    _run(make_app(settings), settings, lambda _: ready.set(), reuse=True)


def _wait_ready(proc: BaseProcess, ready: Event, port: int) -> None:
    """Until the worker listens (it sets `ready`); a `ConfigError` if it exits first."""
    deadline = time.monotonic() + START_SECONDS
    while not ready.wait(0.2):
        if not proc.is_alive():
            raise ConfigError(f"a worker exited with {proc.exitcode} before listening")
        if time.monotonic() > deadline:
            raise ConfigError(f"a worker did not listen on port {port} in {START_SECONDS:.0f} s")


def _supervise(procs: list[BaseProcess]) -> int:
    """Wait until a worker exits or we are told to stop; the exit status."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    ended = wait([p.sentinel for p in procs])
    for proc in (p for p in procs if p.sentinel in ended):
        proc.join()  # its sentinel closes a moment before it can be reaped
        log.error("worker %d exited with %s; stopping the others", proc.pid, proc.exitcode)
    return 1


def _stop(procs: list[BaseProcess]) -> None:
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()
