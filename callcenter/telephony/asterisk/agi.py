"""The FastAGI wire format, pure: the environment Asterisk sends first, command lines out,
result lines in.

Asterisk opens the connection and sends `agi_key: value` lines (LF), ended by an empty line.
Each command is one line; each gets one result line `200 result=<n> [(<data>)] [k=v…]`, or
`511` on a dead channel, or a `520-` block (bad syntax) ended by a `520 ` line. When the
channel hangs up Asterisk also sends, unasked, a line `HANGUP`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_ENV_LINES = 200
MAX_LINE = 8192
_RESULT = re.compile(r"result=(?P<result>-?[0-9*#]*)(?: \((?P<data>[^)]*)\))?(?P<rest>.*)")


class AgiProtocolError(Exception):
    """What Asterisk (or whatever connected) sent is not AGI."""


@dataclass(frozen=True, slots=True)
class AgiResult:
    """A command's outcome: the code (200 ok, 510/520 bad command, 511 dead channel), the
    `result=` number as text ('' when absent), the data in parentheses, other `k=v` pairs."""

    code: int
    result: str = ""
    data: str | None = None
    extras: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def number(self) -> int | None:
        """`result` as a number (None when empty)."""
        return int(self.result) if self.result.lstrip("-").isdigit() else None


def parse_env(lines: Sequence[str]) -> dict[str, str]:
    """The environment block (without its empty last line): `agi_x: v` -> {"x": v}."""
    env = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key.startswith("agi_"):
            raise AgiProtocolError(f"not an AGI environment line: {line[:80]!r}")
        env[key[4:]] = value[1:] if value.startswith(" ") else value
    return env


def parse_result(line: str) -> AgiResult:
    """One result line (a `520` block is given as its last line)."""
    code_text, text = line[:3], line[4:]
    if not code_text.isdigit():
        raise AgiProtocolError(f"not an AGI result: {line[:80]!r}")
    code = int(code_text)
    if code != 200:
        return AgiResult(code, text=text)
    found = _RESULT.match(text)
    if found is None:
        raise AgiProtocolError(f"200 without a result: {line[:80]!r}")
    extras = {}
    for pair in found["rest"].split():
        key, _, value = pair.partition("=")
        extras[key] = value
    return AgiResult(200, found["result"], found["data"], extras, text)


def quote(arg: str) -> str:
    """An argument as AGI reads it: in double quotes, with quotes and backslashes escaped."""
    cleaned = arg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")
    return f'"{cleaned}"'


def command(verb: str, *words: str | int) -> bytes:
    """A command line: the verb (`STREAM FILE`), then the arguments, quoted where needed."""
    parts = [verb]
    for word in words:
        text = str(word)
        safe = text and not any(c in text for c in ' "\\\r\n\t')
        parts.append(text if safe else quote(text))
    return (" ".join(parts) + "\n").encode()
