"""What the IVR benchmark drives, each in processes of its own on a free port: the
constant-TwiML aiohttp handler (the ceiling), the Flask peer under gunicorn, and the
callcenter server (`callcenter serve --workers N`) on given stores."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import asyncpg

from callcenter.devtools.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench0000000000000000000000000000"
START_SECONDS = 300.0

CEILING_APP = """
import sys
from aiohttp import web
TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response>'
         '<Gather action="/ivr" method="POST" numDigits="1"><Say>hello</Say></Gather></Response>')
async def handle(request):
    await request.post()
    return web.Response(text=TWIML, content_type="application/xml")
app = web.Application()
app.router.add_post("/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None,
            reuse_port=True)
"""


@dataclass(frozen=True, slots=True)
class Target:
    """A running target: where calls start, what callers press, their numbers."""

    start: str
    script: tuple[str, ...]
    phones: tuple[str, ...]
    hangup: str | None = None  # the status callback posted when a call ends
    pids: tuple[int, ...] = ()  # the processes serving it (their children counted too)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the processes serving the target and their descendants
        (Linux `/proc`; 0 elsewhere): steadier from run to run than the rates."""
        total, seen, todo = 0.0, set(), list(self.pids)
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                # user and system time, its own and its ended (waited) children's
                total += sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                todo.extend(int(child) for child in children)
        return total


def wait_port(port: int, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError(f"{procs[0].args!r} exited with {procs[0].returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


@contextlib.contextmanager
def processes(
    argvs: list[list[str]], port: int, env: dict[str, str] | None = None, ready: bytes = b""
) -> Iterator[tuple[int, ...]]:
    """Run the commands until the block ends, once `port` listens and their output has
    `ready`; it goes to a temporary file, shown when one exits early."""
    with tempfile.TemporaryFile() as log:
        procs = [
            subprocess.Popen(a, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            for a in argvs
        ]
        try:
            wait_port(port, procs)
            _wait_output(log, ready, procs)
            yield tuple(proc.pid for proc in procs)
        except RuntimeError:
            log.seek(0)
            sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            _stop(procs)


def _wait_output(log: IO[bytes], text: bytes, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while log.seek(0) == 0 and text not in log.read():
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError(f"{procs[0].args!r} did not say {text!r}")
        time.sleep(0.2)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def ceiling(workers: int) -> Iterator[Target]:
    """`workers` aiohttp processes on one port answering every post with the same Gather."""
    port = free_port()
    with processes([[sys.executable, "-c", CEILING_APP, str(port)]] * workers, port) as pids:
        base = f"http://127.0.0.1:{port}"
        script = ("1", "2", "1", "9", "0")
        yield Target(f"{base}/ivr", script, ("+86",), f"{base}/status", pids)


@contextlib.contextmanager
def flask(workers: int) -> Iterator[Target]:
    """The Flask peer under gunicorn with `workers` (sync) workers."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    port = free_port()
    argv = [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "-k", "sync"]
    with processes([[*argv, "--log-level", "warning", "bench.peers.flask_ivr:app"]], port) as pids:
        start = f"http://127.0.0.1:{port}/ivr/welcome"
        yield Target(start, ("2", "1", "9", "0"), ("+86",), None, pids)


@contextlib.contextmanager
def server(workers: int, database_url: str, redis_url: str, data_dir: str) -> Iterator[Target]:
    """`callcenter serve --workers N` on the stores, demo data loaded (2,000 customers)."""
    port = free_port()
    env = os.environ | {
        "CALLCENTER_DATABASE__URL": database_url,
        "CALLCENTER_REDIS__URL": redis_url,
        "CALLCENTER_DATABASE__POOL_SIZE": "20",
        "CALLCENTER_LOGGING__LEVEL": "WARNING",
        "CALLCENTER_SERVER__DATA_DIR": data_dir,
        "CALLCENTER_SERVER__PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TWILIO_AUTH_TOKEN": TOKEN,
    }
    argv = [sys.executable, "-m", "callcenter", "serve", "--port", str(port)]
    listening = b"listening on"  # once every worker listens
    with processes([[*argv, "--workers", str(workers)]], port, env, listening) as pids:
        phones = tuple(asyncio.run(_phones(database_url, data_dir)))
        base = f"http://127.0.0.1:{port}/twilio"
        yield Target(f"{base}/voice", ("-", "2", "1", "9", "0"), phones, f"{base}/status", pids)


async def _phones(database_url: str, data_dir: str) -> list[str]:
    query = "SELECT phone FROM account_phones LIMIT 5000"
    if not database_url:
        with contextlib.closing(sqlite3.connect(Path(data_dir) / "callcenter.db")) as conn:
            return [row[0] for row in conn.execute(query)]
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        return [row["phone"] for row in await conn.fetch(query)]
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database on the server for one run, dropped after it."""
    name = f"cc_ivrbench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def data_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="cc-ivrbench-") as path:
        yield path
