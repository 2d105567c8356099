"""Log output: one line per record, masked (`callcenter.redact`), JSON or text.

`[logging] format = "json"` writes JSON lines: `ts` (UTC, ISO 8601), `level`, `logger`,
`message` (with its arguments), the record's extra fields, and `exc` / `stack` (the
traceback, in the same line). `"text"` writes `ts LEVEL logger: message key=value ... | exc`
with control characters escaped. Either way the message, every extra field and the
traceback are redacted before they are written (a field named like a secret is hidden
whatever its value), and nothing the formatter adds itself is masked. Only the entry point
calls `install`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from callcenter.config import LoggingSettings
from callcenter.redact import BIDI, HIDDEN, escape, is_secret_name, redact

_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_JSON_UNSAFE = str.maketrans(  # what json.dumps leaves as it is but a terminal would obey
    {c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), 0x2028, 0x2029, *map(ord, BIDI)]}
)


class _MaskingFormatter(logging.Formatter):
    """What both formats share: the record's parts, redacted."""

    def parts(self, record: logging.LogRecord) -> tuple[str, dict[str, Any], str]:
        """(message, extra fields, traceback and stack), redacted but not escaped."""
        message = redact(record.getMessage())
        extra = {
            key: _field(key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        trace = []
        if record.exc_info:
            trace.append(self.formatException(record.exc_info))
        elif record.exc_text:
            trace.append(record.exc_text)
        if record.stack_info:
            trace.append(self.formatStack(record.stack_info))
        return message, extra, redact("\n".join(trace))

    def timestamp(self, record: logging.LogRecord) -> str:
        """The record's moment in UTC, to the millisecond."""
        at = datetime.fromtimestamp(record.created, UTC)
        return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(_MaskingFormatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        message, extra, trace = self.parts(record)
        line: dict[str, Any] = {
            "ts": self.timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        line.update((k, v) for k, v in extra.items() if k not in line)
        if trace:
            line["exc"] = trace
        text = json.dumps(line, ensure_ascii=False, default=str)  # escapes \x00-\x1f
        return text.translate(_JSON_UNSAFE)


class TextFormatter(_MaskingFormatter):
    """`ts LEVEL logger: message key=value ... | traceback`, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one text line."""
        message, extra, trace = self.parts(record)
        line = f"{self.timestamp(record)} {record.levelname} {escape(record.name)}: "
        line += escape(message)
        line += "".join(f" {escape(key)}={_text_value(value)}" for key, value in extra.items())
        if trace:
            line += " | " + escape(trace)
        return line


class LogHandler(logging.StreamHandler[TextIO]):
    """The handler `install` puts on the root logger (replaced, not added, on a second call)."""


def formatter(settings: LoggingSettings) -> logging.Formatter:
    """The formatter `[logging] format` names."""
    return JsonFormatter() if settings.format == "json" else TextFormatter()


def install(settings: LoggingSettings, stream: TextIO | None = None) -> None:
    """Send the root logger's records, at `[logging] level`, to `stream` (stderr) through the
    masking formatter. A root logger with other handlers is left alone (the host process,
    e.g. a test runner, configured logging), as `logging.basicConfig` does."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, LogHandler)]
    if len(ours) != len(root.handlers):
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = LogHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings))
    root.addHandler(handler)
    root.setLevel(settings.level)


def _field(key: str, value: Any) -> Any:
    if is_secret_name(key) and value is not None:
        return HIDDEN
    if value is None or isinstance(value, bool | float):
        return value
    text = redact(value if isinstance(value, str) else str(value))
    return value if isinstance(value, int) and text == str(value) else text


def _text_value(value: Any) -> str:
    text = escape("null" if value is None else str(value))
    if text and " " not in text and '"' not in text:
        return text
    quoted = text.replace('"', '\\"')
    return f'"{quoted}"'
