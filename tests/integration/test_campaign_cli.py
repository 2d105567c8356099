"""`callcenter campaign …` through `main`, on the embedded stores and on PostgreSQL with
Redis: create prints only the id, preview, run in the foreground (what waits and why),
status --json, export; the calling window; the campaign's lease; errors with their exit
codes and no stack trace. The commands' clock stands where each test puts it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from callcenter import cli_campaigns
from callcenter.cli import main
from callcenter.core.clock import ManualClock
from callcenter.state import redis as redis_state
from callcenter.storage import db
from tests.conftest import NOW
from tests.integration.outbound_helpers import town

ACCOUNTS = ["3300000001", "3300000002", "3300000004", "3300000006"]
EXPORT_HEADER = (
    "campaign,target,account_no,phone,attempt_no,state,result,reason,provider_id,call_id,updated_at"
)
Run = Callable[..., tuple[int, str, str]]


async def _town(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await town(engine)
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def town_stores(stores: tuple[str, str]) -> AsyncIterator[tuple[str, str]]:
    """The stores with the small town of customers in the database."""
    await _town(stores[0])
    yield stores


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The time the next commands see (NOW unless a test changes it)."""
    at = [NOW]
    monkeypatch.setattr(cli_campaigns, "SystemClock", lambda: ManualClock(at[0]))
    return at


def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: str, redis: str) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    prefix = f"cc-{uuid.uuid4().hex[:8]}:"
    env = {
        "CALLCENTER_DATABASE__URL": database,
        "CALLCENTER_REDIS__URL": redis,
        "CALLCENTER_REDIS__KEY_PREFIX": prefix,
        "CALLCENTER_DEMO__LOAD_ON_FIRST_START": "false",
        "CALLCENTER_LOGGING__LEVEL": "WARNING",
        "CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS": "0",
        "CALLCENTER_OUTBOUND__TICK_MS": "20",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "town.csv").write_text("account_no\n" + "\n".join(ACCOUNTS) + "\n")
    return prefix


@pytest.fixture
def run(
    town_stores: tuple[str, str],
    clock_at: list[datetime],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """`callcenter campaign ARGS…` on the town's stores: (exit code, stdout, stderr)."""
    _environment(monkeypatch, tmp_path, *town_stores)

    def command(*argv: str) -> tuple[int, str, str]:
        code = main(["campaign", *argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return command


def _create(run: Run, target: str = "csv:town.csv", *more: str) -> str:
    code, out, err = run("create", "--type", "bill-reminder", "--target", target, *more)
    assert (code, err) == (0, "")
    assert out.strip().isdigit()
    return out.strip()


def _status(run: Run, campaign_id: str) -> dict[str, object]:
    code, out, _ = run("status", campaign_id, "--json")
    assert code == 0
    found = json.loads(out)
    assert isinstance(found, dict)
    return found


def test_create_preview_run_status_export(run: Run) -> None:
    campaign_id = _create(run)
    code, out, _ = run("preview", campaign_id)
    assert code == 0 and out.startswith(f"campaign {campaign_id}: 4 targets stored")
    assert all(account in out for account in ACCOUNTS)

    code, out, err = run("run", campaign_id)

    assert code == 0 and "4/4 targets" in err
    lines = out.splitlines()
    assert lines[0] == (
        f"campaign {campaign_id}: 4 calls placed, 0 refused, 0 failed; "
        "nothing more can be placed now"
    )
    status = _status(run, campaign_id)
    assert {"id", "state", "type", "targets", "results", "refused", "waiting"} <= status.keys()
    assert (status["state"], status["type"], status["targets"]) == ("running", "bill-reminder", 4)
    results, waiting = status["results"], status["waiting"]
    assert isinstance(results, dict) and isinstance(waiting, dict)
    assert sum(results.values()) == 4 and status["refused"] == {}
    assert set(waiting) <= set(results)  # each retry waits for its previous result
    assert len(lines) - 1 == len(waiting) or lines[1:] == ["nothing waits"]
    assert all(f"({reason})" in out for reason in waiting)

    code, out, _ = run("export", campaign_id, "--csv", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and out.splitlines()[0] == EXPORT_HEADER
    assert len(rows) == 4 + sum(waiting.values())
    assert {r["account_no"] for r in rows} == set(ACCOUNTS)
    assert all(r["call_id"] and r["provider_id"] for r in rows if r["state"] == "done")
    again = _create(run)  # a second run (another process): new calls, new call records
    code, _, err = run("run", again)
    assert code == 0, err


def test_outside_the_calling_window_everyone_waits_for_it(
    run: Run, clock_at: list[datetime]
) -> None:
    campaign_id = _create(run)
    clock_at[0] = NOW + timedelta(hours=12, minutes=30)  # 22:30 in Beijing

    code, out, _ = run("run", campaign_id)

    assert code == 0
    assert out.splitlines()[1:] == ["4 wait for the calling window (opens 2026-03-11 08:00 +08:00)"]
    status = _status(run, campaign_id)
    assert (status["targets"], status["results"]) == (4, {})
    assert status["refused"] == status["waiting"] == {"outside-window": 4}


def test_a_csv_campaign_starts_later_without_its_file(run: Run, tmp_path: Path) -> None:
    campaign_id = _create(run)
    (tmp_path / "town.csv").unlink()

    assert run("start", campaign_id)[:2] == (0, f"campaign {campaign_id} running (4 targets)\n")
    assert run("pause", campaign_id)[:2] == (0, f"campaign {campaign_id} paused\n")
    code, _, err = run("run", campaign_id)
    assert (
        code == 1
        and err
        == f"callcenter: campaign {campaign_id} is paused: nothing to run (resume it first)\n"
    )
    assert run("resume", campaign_id)[:2] == (0, f"campaign {campaign_id} running\n")
    assert run("cancel", campaign_id)[:2] == (0, f"campaign {campaign_id} cancelled\n")


def test_a_rejected_csv_names_every_line_and_creates_nothing(run: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("3300000001\nabc\n3300000001\n3399999999\n3300000005\n")

    code, out, err = run("create", "--type", "bill-reminder", "--target", "csv:bad.csv")

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "line 2: abc: not an account number (10 to 13 digits)",
        "line 3: 3300000001: repeats line 1",
        "line 4: 3399999999: no such account",
        "line 5: 3300000005: the account has no phone number",
        "callcenter: 4 CSV rows refused, nothing loaded: line 2: not an account number "
        "(10 to 13 digits); line 3: repeats line 1; line 4: no such account; "
        "line 5: the account has no phone number",
    ]
    assert run("list") == (0, "no campaigns\n", "")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["create", "--type", "bill-reminder", "--target", "foo:1"], 2, "--target: expected"),
        (["create", "--type", "bill-reminder", "--target", "outage:x"], 2, "a whole number"),
        (["create", "--type", "low-balance", "--target", "balance-below:x"], 2, "an amount"),
        (["create", "--type", "low-balance", "--target", "balance-below:NaN"], 2, "an amount"),
        (["create", "--type", "bill-reminder", "--target", "csv:none.csv"], 2, "cannot read"),
        (["create", "--type", "bill-reminder", "--target", "ticket:1", "--start", "soon"], 2,
         "--start: not an ISO 8601 time"),
        (["create", "--type", "bill-reminder", "--target", "ticket:1", "--max-attempts", "0"], 2,
         "--max-attempts must be 1 to 10"),
        (["create", "--type", "arrears-reminder", "--target", "arrears-over:30", "--mode",
          "progressive", "--queue", "nope"], 2, "--queue: no queue named 'nope'"),
        (["create", "--type", "outage-notice", "--target", "outage:999"], 1, "no outage"),
        (["status", "999"], 1, "callcenter: no campaign 999"),
        (["run", "999"], 1, "callcenter: no campaign 999"),
        (["export", "999", "--csv", "-"], 1, "callcenter: no campaign 999"),
        (["cancel", "999"], 1, "callcenter: no campaign 999"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_their_exit_code(
    run: Run, argv: list[str], code: int, message: str
) -> None:
    found, out, err = run(*argv)
    assert (found, out) == (code, "")
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("gateway", "message"),
    [
        ("twilio", "the twilio gateway is not configured"),
        ("asterisk", "dials through Asterisk: the server holding the AMI session dials it"),
    ],
)
def test_a_gateway_this_process_cannot_use_is_refused_before_the_start(
    run: Run, gateway: str, message: str
) -> None:
    campaign_id = _create(run, "csv:town.csv", "--gateway", gateway)
    code, _, err = run("run", campaign_id)
    assert code == 1 and message in err
    assert _status(run, campaign_id)["state"] == "draft"


def test_usage_errors_exit_2(run: Run) -> None:
    with pytest.raises(SystemExit) as exited:
        run("create", "--type", "nope", "--target", "ticket:1")
    assert exited.value.code == 2


def test_a_campaign_dialled_elsewhere_is_left_alone(
    database_url: str,
    redis_server_url: str,
    clock_at: list[datetime],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(_town(database_url))
    prefix = _environment(monkeypatch, tmp_path, database_url, redis_server_url)
    assert main(["campaign", "create", "--type", "bill-reminder", "--target", "csv:town.csv"]) == 0
    campaign_id = capsys.readouterr().out.strip()
    lease = f"{prefix}lease:campaign:{campaign_id}"
    asyncio.run(_redis(redis_server_url, "set", lease, "server-2:abcd"))

    code = main(["campaign", "run", campaign_id])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"callcenter: campaign {campaign_id} is being dialled by server-2:abcd")
    asyncio.run(_redis(redis_server_url, "delete", lease))
    assert main(["campaign", "run", campaign_id]) == 0
    assert asyncio.run(_redis(redis_server_url, "get", lease)) is None  # released


async def _redis(url: str, verb: str, *args: str) -> object:
    client = redis_state.connect(url)
    try:
        return await getattr(client, verb)(*args)
    finally:
        await client.aclose()
