"""Fake AMI servers for the client tests: one replays a recorded Asterisk session to the real
client, action by action; the other runs a scripted handler per connection."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from callcenter.config import Settings
from tests.conftest import app_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "asterisk"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


def recorded(name: str) -> tuple[bytes, bytes]:
    """(what Asterisk sent, what the client sent) in scenario `name`."""
    return (FIXTURES / f"{name}.txt").read_bytes(), (FIXTURES / f"{name}.client.txt").read_bytes()


def action_ids(client_bytes: bytes) -> list[str]:
    """The ActionIDs of the recorded client's actions, in order."""
    return [m.decode() for m in re.findall(rb"\r\nActionID: ([^\r]*)\r\n", client_bytes)]


def ids_from(ids: list[str]) -> Callable[[], str]:
    """An ActionID generator giving `ids`, then made-up ones."""
    it = iter(ids)
    spare = iter(range(1, 10**6))
    return lambda: next(it, None) or f"extra-{next(spare)}"


async def read_action(reader: asyncio.StreamReader) -> tuple[bytes, dict[str, str]] | None:
    """The next action block the client sent (raw bytes, fields); None at EOF."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = [line for line in raw.decode().split("\r\n") if line]
    fields = {key: value for key, _, value in (line.partition(":") for line in lines)}
    fields = {key: value.removeprefix(" ") for key, value in fields.items()}
    return raw, fields


def response(action_id: str, status: str = "Success", **fields: str) -> bytes:
    lines = [f"Response: {status}", f"ActionID: {action_id}"]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class FakeAmi:
    """A TCP server on loopback; each connection runs `handler(reader, writer, n)`, n = 0 for
    the first connection. Everything the clients sent is kept per connection."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.received: list[bytearray] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FakeAmi:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        n = len(self.received)
        log = bytearray()
        self.received.append(log)
        spy = _Spy(reader, log)
        try:
            await self._handler(spy, writer, n)  # type: ignore[arg-type]
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


class _Spy:
    """A StreamReader that keeps a copy of what it read."""

    def __init__(self, reader: asyncio.StreamReader, log: bytearray) -> None:
        self._reader = reader
        self._log = log

    async def readuntil(self, separator: bytes) -> bytes:
        data = await self._reader.readuntil(separator)
        self._log += data
        return data


def segments(server_bytes: bytes, client_bytes: bytes) -> tuple[bytes, dict[str, bytes]]:
    """A recorded session cut at its responses: what came before the first one, and per
    recorded ActionID the bytes from its response up to the next response (events
    included)."""
    ids = action_ids(client_bytes)
    body = server_bytes[len(BANNER) :]
    starts = []
    for action_id in ids:
        found = re.search(
            rb"(^|\r\n\r\n)Response: [^\r]*\r\nActionID: "
            + re.escape(action_id.encode())
            + rb"\r\n",
            body,
        )
        assert found is not None, action_id
        starts.append(found.start() + (4 if found.group(1) else 0))
    recorded_segments = {
        action_id: body[start : (starts[i + 1] if i + 1 < len(starts) else len(body))]
        for i, (action_id, start) in enumerate(zip(ids, starts, strict=True))
    }
    return (body[: starts[0]] if starts else body), recorded_segments


def replay(server_bytes: bytes, client_bytes: bytes, *, close_at_end: bool = True) -> Handler:
    """A handler playing a recorded session: the banner, then on each recorded action the
    recorded bytes from its response up to the next recorded response (events included).
    Actions that are not in the recording get a plain Success (Ping: Pong)."""
    preamble, recorded_segments = segments(server_bytes, client_bytes)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: int) -> None:
        unplayed = dict(recorded_segments)  # each connection plays the session from the start
        writer.write(BANNER + preamble)
        while (got := await read_action(reader)) is not None:
            fields = got[1]
            action_id = fields.get("ActionID", "")
            canned = unplayed.pop(action_id, None)
            if canned is None:
                writer.write(response(action_id, Ping="Pong"))
            else:
                writer.write(canned)
            await writer.drain()
            if not unplayed and close_at_end:
                await asyncio.sleep(0.05)
                return

    return handle


def scripted(on_action: Callable[[int, dict[str, str]], bytes | None]) -> Callable[..., object]:
    """A server answering Login with Success and other actions with `on_action(connection,
    fields)`: bytes to send, or None to drop the connection there."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        writer.write(BANNER)
        while (got := await read_action(reader)) is not None:
            _, fields = got
            if fields["Action"] == "Login":
                writer.write(response(fields["ActionID"], Message="Authentication accepted"))
            else:
                reply = on_action(n, fields)
                if reply is None:
                    return
                writer.write(reply)
            await writer.drain()

    return handle


def event(name: str, **fields: str) -> bytes:
    """An event block."""
    lines = [f"Event: {name}"] + [f"{k.replace('_', '-')}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def list_reply(action_id: str, item: str, items: list[dict[str, str]]) -> bytes:
    """A list action's answer: Success with EventList start, the items, then Complete."""
    out = response(action_id, EventList="start", Message="Will follow")
    for fields in items:
        out += event(item, ActionID=action_id, **fields)
    return out + event(
        f"{item}sComplete" if not item.endswith("s") else f"{item}Complete",
        ActionID=action_id,
        EventList="Complete",
        ListItems=str(len(items)),
    )


def ami_settings(stores: tuple[str, str], port: int, **env: str) -> Settings:
    """Settings for an app whose AMI session goes to a fake Asterisk on `port`."""
    return app_settings(
        stores,
        CALLCENTER_ASTERISK__AMI_HOST="127.0.0.1",
        CALLCENTER_ASTERISK__AMI_PORT=str(port),
        **env,
    )
