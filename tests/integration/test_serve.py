"""The README's first command: `callcenter serve` on the embedded defaults, as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from callcenter.devtools.servers import free_port

DEADLINE_SECONDS = 90


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except OSError:
        return 0, {}


def test_serve_starts_on_embedded_defaults_with_demo_data(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env["CALLCENTER_DEMO__CUSTOMERS"] = "60"
    proc = subprocess.Popen(
        [sys.executable, "-m", "callcenter", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        while status != 200 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert (status, body.get("status")) == (200, "ready")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "agent20" in out and "Numbers to try:" in out and "cc_" not in out
    credentials = (tmp_path / "data" / "demo-credentials.txt").read_text(encoding="utf-8")
    assert str(tmp_path / "data" / "demo-credentials.txt") in out
    assert "admin API token: cc_" in credentials
    assert (tmp_path / "data" / "callcenter.db").exists()
    assert "Traceback" not in err
