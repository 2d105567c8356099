"""Throwaway Redis and PostgreSQL servers on loopback, in temporary directories.

Used by the test suite and the benchmarks when no server URL is given. PostgreSQL refuses to
run as root, so as root it is run as the `postgres` user (`runuser`).
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

PG_USER = "postgres"


class ServerUnavailableError(RuntimeError):
    """The server's programs are not installed or it did not start."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerUnavailableError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerUnavailableError(f"{what} did not listen on port {port} within {timeout}s")


def _wait_ready(probe: list[str], timeout: float = 30) -> None:
    """Run `probe` until it succeeds: an open port is not yet a server accepting sessions."""
    deadline = time.monotonic() + timeout
    while subprocess.run(probe, check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise ServerUnavailableError(f"{probe[0]} did not succeed within {timeout}s")
        time.sleep(0.1)


@contextmanager
def _running(argv: list[str], port: int, what: str) -> Iterator[None]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, what)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def redis_server() -> Iterator[str]:
    """Run `redis-server` without persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerUnavailableError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cc-redis-") as data:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        with _running([*argv, "--appendonly", "no", "--dir", data], port, "redis-server"):
            yield f"redis://127.0.0.1:{port}/0"


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 45000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise ServerUnavailableError("no free port pair for a Redis Cluster node")


@contextmanager
def redis_cluster(nodes: int = 3) -> Iterator[str]:
    """Run a Redis Cluster of `nodes` masters (no replicas, no persistence) on loopback;
    yields its `redis+cluster://` URL."""
    binary, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if binary is None or cli is None:
        raise ServerUnavailableError("redis-server is not installed (apt-get install redis-server)")
    ports = [_cluster_port() for _ in range(nodes)]
    with tempfile.TemporaryDirectory(prefix="cc-redis-cluster-") as data, ExitStack() as stack:
        for port in ports:
            argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            argv += ["--appendonly", "no", "--dir", data, "--cluster-enabled", "yes"]
            argv += ["--cluster-config-file", f"nodes-{port}.conf"]
            stack.enter_context(_running(argv, port, "redis-server (cluster)"))
        create = [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports)]
        subprocess.run(
            [*create, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        probe = [cli, "-p", str(ports[0]), "cluster", "info"]
        deadline = time.monotonic() + 30
        while b"cluster_state:ok" not in subprocess.run(probe, capture_output=True).stdout:
            if time.monotonic() > deadline:
                raise ServerUnavailableError("the Redis Cluster did not come up within 30 s")
            time.sleep(0.1)
        yield "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in ports)


@contextmanager
def redis_sentinel(service: str = "cc-master") -> Iterator[str]:
    """Run a Redis master and one Sentinel watching it; yields its `redis+sentinel://` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerUnavailableError("redis-server is not installed (apt-get install redis-server)")
    port, sentinel = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="cc-redis-sentinel-") as data, ExitStack() as stack:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        stack.enter_context(_running([*argv, "--dir", data], port, "redis-server (master)"))
        conf = Path(data) / "sentinel.conf"
        conf.write_text(
            f"port {sentinel}\nbind 127.0.0.1\ndir {data}\n"
            f"sentinel monitor {service} 127.0.0.1 {port} 1\n"
        )
        stack.enter_context(
            _running([binary, str(conf), "--sentinel"], sentinel, "redis-server (sentinel)")
        )
        yield f"redis+sentinel://127.0.0.1:{sentinel}/{service}/0"


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise ServerUnavailableError(f"{name} is not installed (apt-get install postgresql)")
    return found


def _as_pg_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def postgres_server() -> Iterator[str]:
    """Run a PostgreSQL cluster tuned for throwaway data; yields an asyncpg URL to `postgres`."""
    initdb, postgres = _pg_bin("initdb"), _pg_bin("postgres")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cc-pg-") as root:
        data, sockets = Path(root) / "data", Path(root) / "sock"
        sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, PG_USER)
            shutil.chown(sockets, PG_USER)
        subprocess.run(
            _as_pg_user(
                [
                    initdb,
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        settings = [
            "listen_addresses=127.0.0.1",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=200",
        ]
        argv = [postgres, "-D", str(data), "-p", str(port), "-k", str(sockets)]
        for setting in settings:
            argv += ["-c", setting]
        with _running(_as_pg_user(argv), port, "postgres"):
            _wait_ready([_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)])
            yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
