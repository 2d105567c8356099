"""The command line: clear messages and exit codes, never a stack trace."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.devtools.servers import free_port


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_DATABASE__URL", "CALLCENTER_REDIS__URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_on_embedded_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "schema up to date" in out and "redis memory://: reachable" in out


def test_check_reports_an_unmigrated_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    sqlite3.connect(tmp_path / "data" / "callcenter.db").close()  # there, but empty
    code, out, _ = run(capsys, "check")
    assert code == 1 and "run `callcenter db upgrade`" in out


def test_check_names_an_unreachable_database_with_its_password_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", f"postgresql+asyncpg://cc@127.0.0.1:{port}/cc")
    monkeypatch.setenv("CALLCENTER_DATABASE__PASSWORD", "hunter2")
    code, out, err = run(capsys, "check")
    assert code == 1
    assert f"database unreachable at postgresql+asyncpg://cc:***@127.0.0.1:{port}/cc" in out
    assert "hunter2" not in out + err


def test_serve_refuses_to_start_without_its_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", f"postgresql+asyncpg://cc@127.0.0.1:{port}/cc")
    code, _, err = run(capsys, "serve", "--port", str(free_port()))
    assert code == 1
    assert f"database unreachable at postgresql+asyncpg://cc@127.0.0.1:{port}/cc" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CALLCENTER_SERVER__PROT": "1"}, "unknown key server.prot"),
        ({"CALLCENTER_SERVER__PORT": "x"}, "server.port"),
        ({"CALLCENTER_CONFIG": "missing.toml"}, "configuration file not found"),
        ({"CALLCENTER_REDIS__URL": "http://x"}, "redis.url"),
    ],
)
def test_bad_configuration_exits_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    message: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, _, err = run(capsys, "check")
    assert code == 2 and message in err


def test_users_and_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "user", "add", "--role", "agent", "wang.li", "--password", "s3cret-pw"
    )
    assert code == 0 and "created agent wang.li" in out
    code, _, err = run(
        capsys, "user", "add", "--role", "agent", "wang.li", "--password", "pw12345678"
    )
    assert code == 1 and "exists already" in err
    code, _, err = run(capsys, "user", "add", "--role", "boss", "zhao", "--password", "pw12345678")
    assert code == 1 and "unknown role 'boss'" in err
    code, _, err = run(capsys, "user", "add", "--role", "agent", "zhao", "--password", "short")
    assert code == 1 and "at least 8" in err
    code, out, _ = run(capsys, "token", "create", "--role", "supervisor", "--label", "wallboard")
    assert code == 0 and out.splitlines()[-1].startswith("cc_")
    code, _, err = run(capsys, "token", "create")
    assert code == 2 and "--role" in err
    code, out, _ = run(capsys, "token", "revoke", "--id", "1")
    assert code == 0
    code, _, err = run(capsys, "token", "revoke", "--id", "1")
    assert code == 1 and "no live token" in err


def test_user_add_generates_a_password_when_not_interactive(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "user", "add", "--role", "operator", "ops1")
    assert code == 0 and "password (shown once):" in out


def test_demo_seed_prints_logins_once_and_adds_customers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "demo", "seed", "--customers", "120", "--seed", "3")
    assert code == 0
    assert "demo-credentials.txt" in out and "agent20" in out and "cc_" not in out
    assert "added 120 customers" in out and "120/120 customers" in err
    code, out, _ = run(capsys, "demo", "seed", "--customers", "30")
    assert code == 0 and "agent20" not in out and "added 30 customers" in out


def test_demo_seed_rejects_a_negative_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demo", "seed", "--customers", "-1")
    assert code == 2 and "--customers" in err


def test_no_running_loop_leaks() -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_option_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[server]\nprot = 1\n")
    argv = (
        ["--config", str(path), "check"] if where == "before" else ["check", "--config", str(path)]
    )
    code, _, err = run(capsys, *argv)
    assert code == 2 and "server.prot: unknown key" in err


def test_ivr_check_passes_the_shipped_flows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ivr", "check")
    assert code == 0 and "flow '95598'" in out and "flow 'survey'" in out


def test_ivr_check_lists_problems_as_file_node_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\nentry: a\nlanguages: [zh-CN]\nprompts: {}\n"
        "nodes:\n  a: {type: say, prompt: p, next: b}\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "ivr", "check", str(path))
    assert code == 1
    assert f"{path}:a: goes to 'b', which is not a node" in err
    assert f"{path}:a: prompt 'p' is not defined" in err


def test_ivr_simulate_prints_the_dialogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "ivr", "simulate", "--from", "139 0000 9999", "--press", "- 3300000001# 7"
    )
    assert code == 0
    assert "◀ 你用电，我用心。国家电网95598为您服务。" in out
    assert "▶ (silence)" in out and "请输入您的户号，以井号键结束。" in out
    assert "▶ keys 3300000001" in out and "未查询到该户号" in out
    assert "record: callcenter API GET /api/calls/" in out


def test_ivr_simulate_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "ivr", "simulate", "--from", "13900009999", "--lang", "en-US", "--press", "-"
    )
    assert code == 0 and "Please enter your account number" in out


def test_ivr_simulate_needs_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "ivr", "simulate")
    assert code == 2 and "--from" in err


def test_serve_refuses_to_start_with_a_broken_flow(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "95598.yaml").write_text(
        'name: "95598"\nentry: a\nlanguages: [zh-CN]\nprompts: {}\n'
        "nodes:\n  a: {type: menu, prompt: p, options: {'1': b}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CALLCENTER_IVR__FLOWS_DIR", str(flows))
    code, _, err = run(capsys, "serve", "--port", str(free_port()))
    path = flows / "95598.yaml"
    assert code == 1 and "the IVR flows have problems" in err
    assert f"{path}:a: a menu node needs 'on_exhausted'" in err
    assert f"{path}:a: goes to 'b', which is not a node" in err


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_prompts_render_every_static_prompt_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "prompts", "render")
    assert code == 0 and out.startswith("rendered ") and "prompts of 17 flows" in out
    rendered = sorted((tmp_path / "data" / "prompts").glob("*.wav"))
    assert len(rendered) == int(out.split()[1]) > 20
    stamps = [p.stat().st_mtime_ns for p in rendered]
    assert run(capsys, "prompts", "render")[0] == 0
    assert [p.stat().st_mtime_ns for p in rendered] == stamps  # cached, not rendered again


def test_prompts_render_into_an_unusable_directory_fails_clearly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setenv("CALLCENTER_ASTERISK__PROMPTS_DIR", str(tmp_path / "file" / "prompts"))
    code, _, err = run(capsys, "prompts", "render")
    assert code == 2 and err.startswith("callcenter: prompts not rendered into ")
