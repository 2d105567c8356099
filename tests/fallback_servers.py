"""A PRIVATE real Redis a fault test may stop and start again (never the shared one): its
data is saved when it stops (SIGTERM with a save point) and loaded when it starts, on the
same port, so the app's client reconnects to the same data."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callcenter.devtools.servers import ServerUnavailableError, _wait_port, free_port


class PrivateRedis:
    """One redis-server on a free port with a temporary directory."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailableError("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._argv = [
            binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(directory)),
            *("--save", "3600 1", "--appendonly", "no"),  # saved on SIGTERM
        ]
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            self._argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_port(self.port, self._proc, "redis-server", timeout=15)

    def stop(self) -> None:
        """Stop it (its data saved); connections to it fail until it starts again."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A running private Redis, stopped and removed at the end."""
    with tempfile.TemporaryDirectory(prefix="cc-fb-redis-") as data:
        server = PrivateRedis(Path(data))
        server.start()
        try:
            yield server
        finally:
            server.stop()
