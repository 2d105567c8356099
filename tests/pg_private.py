"""A PRIVATE PostgreSQL server a test may stop and start (never the shared one): its own
temporary data directory and port, stopped with a fast shutdown (SIGINT) so open client
connections are cut as in an outage."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callcenter.devtools.servers import (
    PG_USER,
    ServerUnavailableError,
    _as_pg_user,
    _pg_bin,
    _wait_port,
    _wait_ready,
    free_port,
)


class PrivatePostgres:
    """One cluster in `root`, started and stopped on demand on one fixed port."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.data = root / "data"
        self.sockets = root / "sock"
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, PG_USER)
            shutil.chown(self.sockets, PG_USER)
        initdb = [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            _as_pg_user([*initdb, "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        argv = [_pg_bin("postgres"), "-D", str(self.data), "-p", str(self.port)]
        argv += ["-k", str(self.sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        self._proc = subprocess.Popen(
            _as_pg_user(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_port(self.port, self._proc, "postgres")
        _wait_ready([_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])

    def stop(self) -> None:
        """Fast shutdown: clients are disconnected at once."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        stop = [_pg_bin("pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w"]
        subprocess.run(_as_pg_user(stop), check=False, stdout=subprocess.DEVNULL)
        proc.wait(timeout=15)  # pg_ctl waited for the server; this reaps the runuser wrapper


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private server, removed afterwards (skips the test when not installed)."""
    with tempfile.TemporaryDirectory(prefix="cc-pgx-") as root:
        try:
            server = PrivatePostgres(Path(root))
            server.start()
        except (ServerUnavailableError, OSError, subprocess.CalledProcessError) as err:
            import pytest

            pytest.skip(f"no private PostgreSQL: {err}")
        try:
            yield server
        finally:
            server.stop()
