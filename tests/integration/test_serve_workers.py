"""`callcenter serve --workers N`: refused on the embedded Redis, several processes on one
port with a real Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.devtools.servers import free_port, redis_server

DEADLINE_SECONDS = 60
LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


@pytest.mark.parametrize(
    ("workers", "message"),
    [
        ("2", "--workers > 1 needs a shared Redis: the embedded memory:// store"),
        ("0", "--workers: expected 1 to 64, got 0"),
    ],
)
def test_refused_worker_counts_exit_2_with_one_line(
    workers: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith("CALLCENTER_")]:
        monkeypatch.delenv(name)
    assert main(["serve", "--workers", workers, "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"callcenter: {message}") and err.count("\n") == 1


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return int(resp.status) if json.loads(resp.read())["status"] == "ready" else 0
    except OSError:
        return 0


def _listeners(port: int) -> int:
    """How many sockets listen on `port` on this machine (IPv4)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for line in lines
        if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == LISTEN
    )


@pytest.fixture
def own_redis() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def two_workers(tmp_path: Path, own_redis: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`callcenter serve --workers 2` on a real Redis (and SQLite), once both listen."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env |= {
        "CALLCENTER_REDIS__URL": own_redis,
        "CALLCENTER_DEMO__LOAD_ON_FIRST_START": "false",
        "CALLCENTER_OUTBOUND__RUN_DIALER": "false",
    }
    argv = [sys.executable, "-m", "callcenter", "serve", "--workers", "2", "--port", str(port)]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while _listeners(port) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert _listeners(port) == 2
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=40)


def _stopped(proc: subprocess.Popen[str]) -> str:
    return proc.communicate(timeout=40)[1]


@pytest.mark.redis
def test_two_workers_answer_on_one_port_and_stop_together(
    two_workers: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = two_workers
    assert [_get(f"http://127.0.0.1:{port}/readyz") for _ in range(20)] == [200] * 20
    proc.terminate()
    err = _stopped(proc)
    assert proc.returncode == 0
    assert f"listening on http://127.0.0.1:{port} with 2 workers" in err
    assert "Traceback" not in err
    assert _listeners(port) == 0


@pytest.mark.redis
def test_a_worker_that_dies_stops_the_others_and_serve_fails(
    two_workers: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = two_workers
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert len(children) == 2
    os.kill(int(children[1]), signal.SIGKILL)
    err = _stopped(proc)
    assert proc.returncode == 1
    assert f"worker {children[1]} exited with -9; stopping the others" in err
    assert _listeners(port) == 0
