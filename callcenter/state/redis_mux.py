"""One multiplexed Redis connection for the hot path: every command of every task is
written to it at once and the replies are matched in order (as ioredis and
StackExchange.Redis do).

Through redis-py's pool each command takes a connection, waits for the lock, writes,
reads through a stream and gives the connection back: about a fifth of an IVR step's CPU
went there (issue 17). Here a command is one packed write (the writes of one loop turn go
out in one system call) and a future resolved when its reply comes in; many replies arriving
together are read in one pass. What it does not take (blocking reads, connection state,
WATCH) stays on the pool: see `MuxRedis`.

A command that gets no reply within the socket timeout fails the connection: every pending
command then fails with `redis.exceptions.TimeoutError` (the replies can no longer be
matched), and the next command connects again. A lost connection fails its pending
commands with `ConnectionError`, like the pool's.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import hiredis
from redis._parsers.base import BaseParser
from redis._parsers.encoders import Encoder
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

NOT_ENOUGH = object()  # hiredis: no complete reply in the buffer yet
Command = Sequence[Any]


def pack(command: Command) -> bytes:
    """A command in RESP, its name split on spaces (`SCRIPT LOAD`) as redis-py does; packed
    by hiredis (in C) when it takes every argument."""
    name = command[0]
    args: Sequence[Any] = command
    if isinstance(name, str) and " " in name:
        args = (*name.split(), *command[1:])
    try:
        packed: bytes = hiredis.pack_command(tuple(args))
    except TypeError:
        return _pack(args)
    return packed


_ENCODER = Encoder("utf-8", "strict", decode_responses=False)  # type: ignore[no-untyped-call]


def _pack(args: Sequence[Any]) -> bytes:
    return pack_args(args, _ENCODER.encode)


def pack_args(args: Sequence[Any], encode: Callable[[Any], bytes]) -> bytes:
    """RESP for `args`, each taken as it is when bytes, str or int, else by `encode`
    (redis-py's encoder: floats, memoryviews; a `DataError` for anything else)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        kind = type(arg)
        if kind is bytes:
            data = arg
        elif kind is str:
            data = arg.encode()
        elif kind is int:
            data = b"%d" % arg
        else:
            data = encode(arg)
        parts += (b"$%d\r\n" % len(data), data, b"\r\n")
    return b"".join(parts)


def _script_gone(replies: Sequence[Any]) -> bool:
    """Whether a reply (or one inside a transaction's EXEC) is NOSCRIPT."""
    return any(
        isinstance(r, NoScriptError) or (isinstance(r, list) and _script_gone(r)) for r in replies
    )


class MuxUnsupportedError(RedisConnectionError):
    """The server does not take HELLO 3 (Redis before 6): the client stays on its pool."""


@dataclass(slots=True)
class _Wait:
    """What a write waits for: `count` replies, from `sent_at` (loop time)."""

    future: asyncio.Future[list[Any]]
    count: int
    sent_at: float
    replies: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to connect and how to start a connection."""

    host: str = "localhost"
    port: int = 6379
    path: str | None = None  # a unix socket
    db: int = 0
    username: str | None = None
    password: str | None = None
    connect_timeout: float = 5.0
    timeout: float = 5.0  # a reply later than this fails the connection
    protocol: int = 3  # RESP3 unless the client asks for 2, as redis-py's pool

    def hello(self) -> list[Command]:
        """HELLO (RESP3, with AUTH) or AUTH, and SELECT, as the endpoint needs them."""
        first: list[Command] = []
        if self.protocol == 3:
            auth = ("AUTH", self.username or "default", self.password) if self.password else ()
            first.append(("HELLO", 3, *auth))
        elif self.password:
            first.append(("AUTH", *filter(None, [self.username]), self.password))
        if self.db:
            first.append(("SELECT", self.db))
        return first

    def describe(self) -> str:
        return self.path or f"{self.host}:{self.port}"


class _Link(asyncio.Protocol):
    """One connection: writes out in one system call per loop turn, replies to waiters in
    order."""

    def __init__(self, endpoint: Endpoint, loop: asyncio.AbstractEventLoop) -> None:
        self._endpoint = endpoint
        self._loop = loop
        self._reader = hiredis.Reader(
            protocolError=InvalidResponse,
            replyError=BaseParser.parse_error,
            notEnoughData=NOT_ENOUGH,
        )
        self._pending: collections.deque[_Wait] = collections.deque()
        self._out: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self.closed = False
        self.scripts: set[str] = set()  # the shas this connection has loaded

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, data: bytes, count: int) -> asyncio.Future[list[Any]]:
        """Queue `data` (holding `count` commands); the future gets their replies."""
        if self.closed:
            raise RedisConnectionError(f"connection to {self._endpoint.describe()} is closed")
        future: asyncio.Future[list[Any]] = self._loop.create_future()
        now = self._loop.time()
        self._pending.append(_Wait(future, count, now))
        if not self._out:
            self._loop.call_soon(self._flush)
        self._out.append(data)
        if self._watchdog is None:
            self._watchdog = self._loop.call_at(now + self._endpoint.timeout, self._check)
        return future

    def _flush(self) -> None:
        if self._transport is not None and self._out and not self.closed:
            self._transport.write(b"".join(self._out))
        self._out.clear()

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        pending = self._pending
        try:
            while (reply := reader.gets()) is not NOT_ENOUGH:
                wait = pending[0]
                wait.replies.append(reply)
                if len(wait.replies) == wait.count:
                    pending.popleft()
                    if not wait.future.done():
                        wait.future.set_result(wait.replies)
        except (InvalidResponse, IndexError) as err:  # garbage, or a reply nobody asked for
            self._fail(InvalidResponse(f"unexpected reply from Redis: {err!r}"))

    def _check(self) -> None:
        """Fail the connection when its oldest command has waited past the timeout."""
        self._watchdog = None
        if self.closed or not self._pending:
            return
        due = self._pending[0].sent_at + self._endpoint.timeout
        if self._loop.time() >= due:
            self._fail(RedisTimeoutError(f"no reply from Redis at {self._endpoint.describe()}"))
        else:
            self._watchdog = self._loop.call_at(due, self._check)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisConnectionError(f"Connection closed by server. {exc or ''}".strip()))

    def _fail(self, error: Exception) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._pending:
            wait = self._pending.popleft()
            if not wait.future.done():
                wait.future.set_exception(error)
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        self._fail(RedisConnectionError("connection closed by the client"))


class RedisMux:
    """Commands over one shared connection, opened on first use and after a loss."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._link: _Link | None = None
        self._opening: asyncio.Lock | None = None

    async def call(self, command: Command) -> Any:
        """One command's reply; an error reply is returned as its exception (not raised)."""
        link = self._link
        if link is None or link.closed:
            link = await self._open()
        replies = await link.send(pack(command), 1)
        return replies[0]

    async def call_many(
        self, commands: Sequence[Command], scripts: Sequence[tuple[str, str]] = ()
    ) -> list[Any]:
        """Several commands in one write, their replies in order (errors as values).
        `scripts` (sha, text) that the connection has not loaded yet are loaded in the same
        write, ahead of the commands: an EVALSHA inside a transaction cannot be retried. A NOSCRIPT
        reply (the server's scripts flushed) makes the connection forget what it loaded."""
        link = self._link
        if link is None or link.closed:
            link = await self._open()
        loads = [("SCRIPT", "LOAD", text) for sha, text in scripts if sha not in link.scripts]
        data = b"".join(map(pack, [*loads, *commands]))
        replies = await link.send(data, len(loads) + len(commands))
        if scripts and _script_gone(replies):
            link.scripts.clear()  # SCRIPT FLUSH: load them again next time
        if not loads:
            return replies
        for reply in replies[: len(loads)]:
            if isinstance(reply, Exception):
                raise reply
            link.scripts.add(reply.decode() if isinstance(reply, bytes) else str(reply))
        return replies[len(loads) :]

    async def _open(self) -> _Link:
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._link is not None and not self._link.closed:
                return self._link
            self._link = await self._connect()
            return self._link

    async def _connect(self) -> _Link:
        end = self.endpoint
        loop = asyncio.get_running_loop()
        link = _Link(end, loop)
        try:
            async with asyncio.timeout(end.connect_timeout):
                if end.path:
                    await loop.create_unix_connection(lambda: link, end.path)
                else:
                    await loop.create_connection(lambda: link, end.host, end.port)
        except TimeoutError as err:
            raise RedisTimeoutError(f"Timeout connecting to {end.describe()}") from err
        except OSError as err:
            raise RedisConnectionError(f"Error connecting to {end.describe()}. {err}") from err
        hello = end.hello()
        if hello:
            replies = await link.send(b"".join(map(pack, hello)), len(hello))
            errors = [r for r in replies if isinstance(r, Exception)]
            if errors:
                link.close()
                if self.endpoint.protocol == 3 and "HELLO" in str(errors[0]).upper():
                    raise MuxUnsupportedError(str(errors[0])) from errors[0]
                raise errors[0]
        return link

    def close(self) -> None:
        """Close the connection; pending commands fail."""
        if self._link is not None:
            self._link.close()
            self._link = None
