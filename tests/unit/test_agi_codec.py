"""The FastAGI wire format: environment, result lines, command quoting."""

from __future__ import annotations

import pytest

from callcenter.telephony.asterisk.agi import (
    AgiProtocolError,
    AgiResult,
    command,
    parse_env,
    parse_result,
)
from tests.agi_helpers import recorded_session


def test_the_recorded_environment_parses() -> None:
    env_block, _ = recorded_session("agi-session-ivr")
    env = parse_env(env_block.decode().strip("\n").split("\n"))
    assert env["network_script"] == "ivr"
    assert env["uniqueid"] == "1795334646.1"
    assert env["callerid"] == "4155550100"
    assert env["accountcode"] == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=1", AgiResult(200, "1", None, {}, "result=1")),
        (
            "200 result=1 (4155550100)",
            AgiResult(200, "1", "4155550100", {}, "result=1 (4155550100)"),
        ),
        (
            "200 result=0 endpos=8000",
            AgiResult(200, "0", None, {"endpos": "8000"}, "result=0 endpos=8000"),
        ),
        (
            "200 result=12*3 (timeout)",
            AgiResult(200, "12*3", "timeout", {}, "result=12*3 (timeout)"),
        ),
        ("200 result= (timeout)", AgiResult(200, "", "timeout", {}, "result= (timeout)")),
        ("200 result=-1", AgiResult(200, "-1", None, {}, "result=-1")),
    ],
)
def test_result_lines(line: str, expected: AgiResult) -> None:
    assert parse_result(line) == expected


def test_other_codes_and_garbage() -> None:
    dead = parse_result("511 Command Not Permitted on a dead channel or intercept routine")
    assert dead.code == 511 and dead.number is None
    assert parse_result("520 End of proper usage.").code == 520
    assert parse_result("200 result=-1").number == -1
    with pytest.raises(AgiProtocolError):
        parse_result("HTTP/1.1 200 OK")
    with pytest.raises(AgiProtocolError):
        parse_env(["GET / HTTP/1.1"])


def test_commands_quote_what_needs_it() -> None:
    assert command("STREAM FILE", "custom/welcome", "") == b'STREAM FILE custom/welcome ""\n'
    assert (
        command("GET DATA", "custom/enter-digit", 5000, 1)
        == b"GET DATA custom/enter-digit 5000 1\n"
    )
    assert command("VERBOSE", 'say "hi"\nnow', 1) == b'VERBOSE "say \\"hi\\" now" 1\n'
