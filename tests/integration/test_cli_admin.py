"""Administration on the command line (embedded SQLite in a temporary directory): agents
and outages, with one-line errors and exit codes, audited as `cli`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.storage import db
from callcenter.storage.audit import SqlAuditLog
from tests.factories import AccountSpec, add_customer


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_DATABASE__URL", "CALLCENTER_REDIS__URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CALLCENTER_LOGGING__LEVEL", "WARNING")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def agents_json(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    code, out, _ = run(capsys, "agent", "list", "--json")
    assert code == 0
    return {a["username"]: a for a in json.loads(out)}


def audit(entity: str) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = db.create_engine("sqlite+aiosqlite:///data/callcenter.db")
        try:
            return [(e.action, e.editor.role) for e in await SqlAuditLog(engine).entries(entity)]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_user_add_gives_a_usable_agent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "user", "add", "--role", "agent", "wang.li", "--password", "pw12345678"
    )
    assert code == 0 and "agent record: twilio_client:wang.li" in out
    agent = agents_json(capsys)["wang.li"]
    assert (agent["device"], agent["languages"], agent["queues"]) == (
        "twilio_client:wang.li",
        ["zh-CN"],
        {"general": 1},
    )


def test_agent_add_set_disable_enable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "agent", "add", "li.na", "--device", "sip:1001", "--skill", "billing=3",
        "--lang", "zh-CN", "--lang", "en-US", "--queue", "billing=2", "--queue", "general",
    )  # fmt: skip
    assert code == 0 and "password (shown once):" in out and "sip:1001" in out
    code, out, _ = run(capsys, "agent", "list")
    assert code == 0 and "li.na" in out and "billing=2,general=1" in out
    assert run(capsys, "agent", "set", "li.na", "--device", "phone:13800138000")[0] == 0
    assert agents_json(capsys)["li.na"]["device"] == "phone:+8613800138000"
    assert run(capsys, "agent", "disable", "li.na")[0] == 0
    assert agents_json(capsys)["li.na"]["enabled"] is False
    assert run(capsys, "agent", "enable", "li.na")[0] == 0
    assert audit("agent") == [
        ("create", "cli"),
        ("update", "cli"),
        ("disable", "cli"),
        ("enable", "cli"),
    ]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["agent", "add", "x1", "--device", "fax:1"], 1, "unknown device kind 'fax'"),
        (["agent", "add", "x1", "--device", "sip:1", "--queue", "nope"], 1, "no queue named"),
        (["agent", "add", "x1", "--device", "sip:1", "--skill", "a=12"], 1, "1-9"),
        (["agent", "add", "x1"], 2, "needs --device"),
        (["agent", "set", "nobody", "--lang", "zh-CN"], 1, "no user named 'nobody'"),
        (["agent", "set", "ops1", "--lang", "zh-CN"], 1, "has no agent record"),
        (["agent", "disable"], 2, "needs a USERNAME"),
        (["outage", "add", "--kind", "fault"], 2, "needs --kind, --area and --cause"),
        (["outage", "close"], 2, "needs the outage ID"),
        (["outage", "close", "7"], 1, "no outage with id 7"),
        (["outage", "list", "--status", "burning"], 1, "unknown outage status"),
    ],
)
def test_bad_administration_is_one_line_and_an_exit_code(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert (
        run(capsys, "user", "add", "--role", "operator", "ops1", "--password", "pw12345678")[0] == 0
    )
    got, _, err = run(capsys, *argv)
    assert got == code and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_outage_add_update_close_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    engine_url = "sqlite+aiosqlite:///data/callcenter.db"

    async def customer() -> int:
        engine = db.create_engine(engine_url)
        try:
            created = await add_customer(
                engine, "李娜", [AccountSpec("3300000042", ["+8613900139000"])]
            )
            return created.service_point_ids[0]
        finally:
            await engine.dispose()

    point = asyncio.run(customer())
    code, out, err = run(
        capsys, "outage", "add", "--kind", "fault", "--area", "文三路", "--cause", "线路故障",
        "--service-point", str(point), "--etr", "2099-01-01T10:00",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("outage 1 [fault active] 文三路") and "ETR 2099-01-01 10:00" in out
    code, _, err = run(
        capsys,
        "outage",
        "add",
        "--kind",
        "fault",
        "--area",
        "x",
        "--cause",
        "y",
        "--feeder",
        "NOPE",
    )
    assert code == 1 and "no service point is on feeder NOPE" in err
    assert run(capsys, "outage", "update", "1", "--etr", "2099-01-01T12:00")[0] == 0
    code, out, _ = run(capsys, "outage", "close", "1")
    assert code == 0 and "[fault restored]" in out
    code, out, _ = run(capsys, "outage", "list", "--status", "restored", "--json")
    assert code == 0 and [o["id"] for o in json.loads(out)] == [1]
    assert audit("outage") == [("create", "cli"), ("update", "cli"), ("restore", "cli")]
