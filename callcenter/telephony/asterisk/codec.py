"""The Asterisk Manager Interface wire format, pure: bytes in, messages out; actions out as
bytes.

AMI sends a banner line (`Asterisk Call Manager/11.0.0`), then blocks of `Key: Value` lines,
each block ended by an empty line, with CRLF line ends (bare LF is tolerated). A block is a
response (`Response: ...`) or an event (`Event: ...`). Bytes are buffered until a block is
complete and only then decoded, so a multi-byte UTF-8 character split across two reads
survives. Keys may repeat (`Variable`, `ChanVariable`): the first value is in `fields`, the
rest in order in `repeats`. Events a backend does not need and that come by the hundred
(`VarSet`, `Newexten`…) are dropped from the event name alone, before the block is decoded.
A block that is not `Key: Value` lines is skipped and reported as `Malformed`; a block longer
than `max_block` bytes is a `FramingError`: the stream cannot be trusted, the connection is
reset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BANNER_PREFIX = "Asterisk Call Manager/"
MAX_BLOCK = 256 * 1024
DROPPED_EVENTS = frozenset(
    {
        "VarSet",
        "Newexten",
        "DeviceStateChange",
        "NewCallerid",
        "NewConnectedLine",
        "LocalBridge",
        "LocalOptimizationBegin",
        "LocalOptimizationEnd",
        "RTCPSent",
        "RTCPReceived",
        "AGIExecStart",
        "AGIExecEnd",
        "ChallengeSent",
        "SuccessfulAuth",
        "NewAccountCode",
    }
)


class FramingError(Exception):
    """The stream is not AMI (a block beyond the size limit): reset the connection."""


@dataclass(frozen=True, slots=True)
class Message:
    """A response or an event: `kind` is "response" or "event", `name` the value of that
    first key (Success, Error, Follows / the event name)."""

    kind: str
    name: str
    fields: Mapping[str, str]
    repeats: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of `key`."""
        return self.fields.get(key, default)

    def get_all(self, key: str) -> list[str]:
        """Every value of `key`, in order."""
        first = self.fields.get(key)
        if first is None:
            return []
        return [first, *(value for k, value in self.repeats if k == key)]

    @property
    def action_id(self) -> str | None:
        """The ActionID this message answers, if any."""
        return self.fields.get("ActionID")


@dataclass(frozen=True, slots=True)
class Banner:
    """The first line of a session: `Asterisk Call Manager/<version>`."""

    version: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """A block skipped: why, and its first bytes (for the log)."""

    reason: str
    head: bytes


Item = Message | Banner | Malformed


@dataclass(slots=True)
class AmiParser:
    """Feed it what the socket gave; it returns the complete items."""

    drop: frozenset[str] = DROPPED_EVENTS
    max_block: int = MAX_BLOCK
    dropped: int = 0
    _buffer: bytearray = field(default_factory=bytearray)
    _banner_seen: bool = False

    def feed(self, data: bytes) -> list[Item]:
        buf = self._buffer
        buf += data
        items: list[Item] = []
        start = 0
        if not self._banner_seen:
            end = buf.find(b"\n")
            if end < 0:
                self._check_size(len(buf))
                return items
            line = bytes(buf[:end]).rstrip(b"\r").decode("utf-8", "replace")
            self._banner_seen = True
            start = end + 1
            if line.startswith(BANNER_PREFIX):
                items.append(Banner(line[len(BANNER_PREFIX) :]))
            else:
                items.append(Malformed("no AMI banner", bytes(buf[:end][:80])))
        # Decode every complete block of this read at once: block boundaries are ASCII, so
        # a multi-byte character split across reads stays in the buffer until it is whole.
        crlf, lf = buf.rfind(b"\r\n\r\n", start), buf.rfind(b"\n\n", start)
        end = max(crlf + 4 if crlf >= 0 else start, lf + 2 if lf >= 0 else start)
        if end > start:
            text = bytes(buf[start:end]).decode("utf-8", "replace")
            del buf[:end]
            items += self._blocks(text)
        else:
            del buf[:start]
        self._check_size(len(buf))
        return items

    @property
    def pending(self) -> int:
        """Bytes of an incomplete block held (left over at EOF: a truncated stream)."""
        return len(self._buffer)

    def _check_size(self, size: int) -> None:
        if size > self.max_block:
            self._buffer.clear()
            raise FramingError(f"AMI block longer than {self.max_block} bytes")

    def _blocks(self, text: str) -> list[Item]:
        blocks = text.replace("\r\n", "\n").split("\n\n")  # bare LF tolerated
        items: list[Item] = []
        drop = self.drop
        for block in blocks:
            self._check_size(len(block))
            block = block.lstrip("\n")  # blank lines between blocks
            if not block:
                continue
            if block.startswith("Event: "):
                name_end = block.find("\n")
                if (block[7:name_end] if name_end >= 0 else block[7:]) in drop:
                    self.dropped += 1
                    continue
            items.append(_parse(block))
        return items


_FIELD = re.compile(r"^([^:\n]+): ?(.*)$", re.MULTILINE)


def parse_block(block: bytes) -> Message | Malformed:
    """One block's lines (without its terminating blank line) into a message."""
    text = block.decode("utf-8", "replace")
    return _parse(text.replace("\r\n", "\n"))


def _parse(text: str) -> Message | Malformed:
    """A block with LF line ends."""
    pairs = _FIELD.findall(text)
    if len(pairs) != text.count("\n") + 1:
        return Malformed("line without 'Key: Value'", text[:80].encode())
    fields = dict(pairs)
    repeats: tuple[tuple[str, str], ...] = ()
    if len(fields) != len(pairs):  # a key given more than once: first value, then the rest
        fields, later = {}, []
        for key, value in pairs:
            if key in fields:
                later.append((key, value))
            else:
                fields[key] = value
        repeats = tuple(later)
    kind = pairs[0][0]
    if kind == "Event":
        return Message("event", fields["Event"], fields, repeats)
    if kind == "Response":
        return Message("response", fields["Response"], fields, repeats)
    return Malformed("neither a response nor an event", text[:80].encode())


def encode_action(
    action: str, action_id: str, fields: Iterable[tuple[str, str]] | Mapping[str, str] = ()
) -> bytes:
    """An action block, keys in the order given (repeat a key by repeating the pair)."""
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    lines = [f"Action: {action}", f"ActionID: {action_id}"]
    for key, value in pairs:
        text = str(value)
        if any(c in text or c in key for c in "\r\n") or ":" in key or not key:
            raise ValueError(f"AMI field {key!r} may not hold line breaks")
        lines.append(f"{key}: {text}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
