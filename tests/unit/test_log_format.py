"""Log lines: one per record, JSON or text, masked and escaped; installed by the CLI and the
serve workers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from callcenter import cli
from callcenter.config import LoggingSettings, load_settings
from callcenter.logs import JsonFormatter, LogHandler, TextFormatter, install
from callcenter.web import workers
from tests.log_capture import formatted

PHONE = "13800138000"
TOKEN = "cc_Zq0123456789abcdefghijklmnop"
FORGED = "\n2026-03-10T09:00:00.000Z INFO callcenter.auth: admin signed in"


def _lines(fmt: str, emit: Any) -> list[str]:
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    with formatted(f"cctest.logs.{fmt}", formatter) as out:
        emit(logging.getLogger(f"cctest.logs.{fmt}"))
    return out.getvalue().splitlines()


def _fail() -> None:
    raise ValueError(f"duplicate key (phone)=(+86{PHONE}){FORGED} via {TOKEN}")


def _everything(logger: logging.Logger) -> None:
    logger.warning("call from %s: %s", PHONE, FORGED, extra={"caller": f"+86{PHONE}\r\nx"})
    logger.info("db %s", "postgresql://cc:hunter2@db/cc", extra={"password": "pw-123"})
    try:
        _fail()
    except ValueError:
        logger.exception("sign-in of %r failed", "agent01" + FORGED)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_each_record_is_one_line_with_nothing_to_hide(fmt: str) -> None:
    lines = _lines(fmt, _everything)
    assert len(lines) == 3
    text = "\n".join(lines)
    for hidden in (PHONE, TOKEN, "hunter2", "pw-123"):
        assert hidden not in text
    assert "138****8000" in lines[0] and "138****8000" in lines[2]
    assert "Traceback" in lines[2] and "ValueError" in lines[2]


def test_json_lines_parse_with_their_fields() -> None:
    records = [json.loads(line) for line in _lines("json", _everything)]
    first, second, third = records
    assert first["level"] == "WARNING" and first["logger"] == "cctest.logs.json"
    assert first["message"] == f"call from 138****8000: {FORGED}"
    assert first["caller"] == "+86138****8000\r\nx"
    assert second["password"] == "***" and "cc:***@db" in second["message"]
    assert third["exc"].startswith("Traceback") and "+86138****8000" in third["exc"]
    assert {"ts", "level", "logger", "message"} <= first.keys()
    assert first["ts"].endswith("Z") and "138" not in first["ts"]


def test_json_escapes_what_a_terminal_would_obey() -> None:
    lines = _lines("json", lambda log: log.info("%s", "\x1b[2J\x9b\u2028\u202e"))
    assert all(c not in lines[0] for c in "\x1b\x9b\u2028\u202e")
    assert json.loads(lines[0])["message"] == "\x1b[2J\x9b\u2028\u202e"


def test_text_lines_escape_control_characters() -> None:
    lines = _lines("text", lambda log: log.info("user %s", "a\x1b[31m" + FORGED, extra={"k": 7}))
    assert lines[0].endswith("admin signed in k=7")
    assert "user a\\x1b[31m\\n2026-03-10T09:00:00.000Z INFO" in lines[0]


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without the test runner's handlers (added as each test runs, so not
    in a fixture); its handlers and level put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers, root.level
    root.handlers = []
    try:
        yield root
    finally:
        root.handlers, root.level = handlers, level


def test_the_cli_installs_the_formatter_for_every_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with bare_root() as root:
        assert cli.main(["ivr", "check"]) == 0
        assert [type(h) for h in root.handlers] == [LogHandler]
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        logging.getLogger("callcenter.anything").warning("caller %s%s", PHONE, FORGED)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and json.loads(err[0])["message"].startswith("caller 138****8000\n")


def test_a_failed_command_prints_its_error_masked_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> int:
        _fail()
        return 0

    monkeypatch.setitem(cli.COMMANDS, "check", boom)
    monkeypatch.setenv("CALLCENTER_LOGGING__FORMAT", "text")
    with bare_root() as root:
        assert cli.main(["check"]) == 1
        assert isinstance(root.handlers[0].formatter, TextFormatter)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("callcenter: check failed: ValueError")
    assert PHONE not in err and TOKEN not in err and "cc_***" in err


def test_a_serve_worker_installs_the_formatter_itself() -> None:
    class Started(Exception):
        pass

    def make_app(_: object) -> Any:
        raise Started

    settings = load_settings(None, {"CALLCENTER_LOGGING__FORMAT": "text"})
    with bare_root() as root:
        with pytest.raises(Started):
            workers._worker(make_app, settings, None)  # type: ignore[arg-type]
        assert [type(h.formatter) for h in root.handlers] == [TextFormatter]


def test_install_replaces_its_own_handler_and_leaves_a_host_s_alone(tmp_path: Path) -> None:
    host = logging.FileHandler(tmp_path / "host.log")
    with bare_root() as root:
        install(LoggingSettings(level="DEBUG"))
        install(LoggingSettings(level="WARNING", format="text"))
        assert [type(h.formatter) for h in root.handlers] == [TextFormatter]
        assert root.level == logging.WARNING
        root.handlers = [host]
        install(LoggingSettings())
        assert root.handlers == [host]
    host.close()
