"""The real server as a child process (`python -m callcenter serve`) that a fault test may
kill with SIGKILL and start again on the same stores and data directory; its output goes to a
temporary file, shown when it does not come up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import aiohttp

from callcenter.devtools.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60.0


class ServerProcess:
    """`callcenter serve` on a free port with `env` (CALLCENTER_* and TWILIO_* variables
    replace the caller's own); `base` is its URL, also its `server.public_base_url` (Twilio
    signatures are checked against it)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        kept = {k: v for k, v in os.environ.items() if not k.startswith(("CALLCENTER_", "TWILIO"))}
        self._env = kept | env | {"CALLCENTER_SERVER__PUBLIC_BASE_URL": self.base}
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())

    async def start(self, http: aiohttp.ClientSession) -> None:
        """Start it and wait until `/readyz` says ready (the journal replayed, the stores
        reachable)."""
        argv = [sys.executable, "-m", "callcenter", "serve", "--port", str(self.port)]
        self._proc = subprocess.Popen(
            argv, cwd=ROOT, env=self._env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_SECONDS
        while not await self._ready(http):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not come up:\n{self.output()[-4000:]}")
            await asyncio.sleep(0.05)

    async def _ready(self, http: aiohttp.ClientSession) -> bool:
        try:
            async with http.get(f"{self.base}/readyz") as resp:
                return resp.status == 200
        except aiohttp.ClientError:
            return False

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer stops it."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def output(self) -> str:
        """What it printed so far, every start included."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def close(self) -> None:
        """Gone, whatever its state (killed: nothing of it is needed any more)."""
        self.kill()
        self._log.close()
