"""A PRIVATE real Redis or PostgreSQL a fault test may stop and start again (never the
shared ones), on the same port with the same data: Redis saves when it stops (SIGTERM with a
save point) and loads when it starts; PostgreSQL stops with a fast shutdown (SIGINT)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from callcenter.devtools.servers import (
    PG_USER,
    ServerUnavailableError,
    _as_pg_user,
    _pg_bin,
    _wait_port,
    _wait_ready,
    free_port,
)


class PrivateServer:
    """One server process on a free port that may be stopped and started again."""

    STOP = signal.SIGTERM
    NAME = "server"

    def __init__(self, argv: list[str], port: int, user: str | None = None) -> None:
        self.port = port
        self._argv = argv
        self._user = user  # the process itself runs as this user: it gets the signals
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            self._argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self._user,
            group=self._user,
            extra_groups=[] if self._user else None,
        )
        _wait_port(self.port, self._proc, self.NAME, timeout=15)

    def stop(self) -> None:
        """Stop it (its data kept); connections to it fail until it starts again."""
        if self._proc is None:
            return
        self._proc.send_signal(self.STOP)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


S = TypeVar("S", bound=PrivateServer)


class PrivateRedis(PrivateServer):
    """redis-server with a temporary directory."""

    NAME = "redis-server"

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailableError("redis-server is not installed")
        port = free_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        argv = [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
            *("--save", "3600 1", "--appendonly", "no"),  # saved on SIGTERM
        ]
        super().__init__(argv, port)


class PrivatePostgres(PrivateServer):
    """A PostgreSQL cluster in a temporary directory; `url` is its `postgres` database."""

    STOP = signal.SIGINT  # fast shutdown: does not wait for the app's pooled connections
    NAME = "postgres"

    def __init__(self, root: Path) -> None:
        data, sockets = root / "data", root / "sock"
        sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, PG_USER)
            shutil.chown(sockets, PG_USER)
        initdb = [_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            _as_pg_user([*initdb, "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
        argv = [_pg_bin("postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets)]
        for setting in ("listen_addresses=127.0.0.1", "fsync=off", "full_page_writes=off"):
            argv += ["-c", setting]
        super().__init__(argv, port, PG_USER if os.geteuid() == 0 else None)

    def start(self) -> None:
        super().start()
        _wait_ready([_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])


@contextmanager
def running(make: Callable[[Path], S]) -> Iterator[S]:
    """A private server (`PrivateRedis`, `PrivatePostgres`) in a temporary directory,
    running; stopped and removed at the end."""
    with tempfile.TemporaryDirectory(prefix="cc-fb-") as root:
        server = make(Path(root))
        server.start()
        try:
            yield server
        finally:
            server.stop()
