"""An asyncio AMI client: connect, banner, login, actions correlated by ActionID, list
actions collected until their `...Complete` event, events handed to a callback, a keep-alive
Ping, and reconnection with backoff.

An action in flight when the connection drops fails with `AmiConnectionLost` and is never
sent again by the client: whether to retry is the caller's decision (an Originate sent twice
would dial a customer twice). After every login the `on_connect` hook runs (the adapter
resyncs calls and agents from `CoreShowChannels` and `QueueStatus` there).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from callcenter.telephony.asterisk.codec import (
    DROPPED_EVENTS,
    AmiParser,
    Banner,
    FramingError,
    Malformed,
    Message,
    encode_action,
)

log = logging.getLogger(__name__)

Fields = Iterable[tuple[str, str]] | Mapping[str, str]
Connect = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


class AmiError(Exception):
    """An AMI action could not be carried out."""


class AmiAuthError(AmiError):
    """Asterisk refused the login (wrong user or secret, or not permitted from here)."""


class AmiConnectionLost(AmiError):
    """The connection dropped (or was not up) before Asterisk answered; not re-sent."""


class AmiTimeout(AmiError):
    """Asterisk did not answer in time; the action may still have been carried out."""


@dataclass(frozen=True, slots=True)
class AmiSettings:
    """Where the AMI is and how to keep the session."""

    host: str
    port: int = 5038
    username: str = "callcenter"
    secret: str = ""
    timeout_seconds: float = 10.0
    ping_seconds: float = 20.0
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 30.0


@dataclass(slots=True)
class _Pending:
    action: str
    future: asyncio.Future[tuple[Message, list[Message]]]
    listing: bool = False
    response: Message | None = None
    items: list[Message] = field(default_factory=list)


def _action_ids() -> Callable[[], str]:
    prefix = secrets.token_hex(4)
    counter = itertools.count(1)
    return lambda: f"cc-{prefix}-{next(counter)}"


async def _open(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port, limit=1 << 20)


class AmiClient:
    """One AMI session, kept up by `run` until `close`."""

    def __init__(
        self,
        settings: AmiSettings,
        on_event: Callable[[Message], None],
        *,
        on_connect: Callable[[], Awaitable[None]] | None = None,
        action_ids: Callable[[], str] | None = None,
        drop: frozenset[str] = DROPPED_EVENTS,
        connect: Connect = _open,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._on_event = on_event
        self._on_connect = on_connect
        self._next_id = action_ids or _action_ids()
        self._drop = drop
        self._connect = connect
        self._sleep = sleep
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[str, _Pending] = {}
        self._waiters: dict[str, asyncio.Future[Message]] = {}
        self._ready = asyncio.Event()
        self._closing = False
        self.peer = f"{settings.host}:{settings.port}"
        self.sessions = 0  # logins so far
        self.last_error: str | None = None  # why the session is down (None: up, or never tried)
        self.malformed = 0
        self._parser: AmiParser | None = None
        self._dropped_before = 0

    @property
    def dropped(self) -> int:
        """Noisy events dropped by name, over all sessions."""
        return self._dropped_before + (self._parser.dropped if self._parser else 0)

    @property
    def connected(self) -> bool:
        """Logged in and answering."""
        return self._ready.is_set()

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Until the session is logged in (`TimeoutError` after `timeout`)."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def run(self) -> None:
        """Connect, log in and serve; on any loss reconnect with exponential backoff (reset
        after a successful login) until `close`."""
        delay = self._settings.backoff_seconds
        self._closing = False
        while not self._closing:
            logged_in = self.sessions
            try:
                await self._session()
                self.last_error = "connection closed by Asterisk"
            except AmiAuthError as err:
                self.last_error = f"login refused: {err}"
                log.error("AMI %s: %s", self.peer, self.last_error)
            except (OSError, TimeoutError, EOFError, FramingError, AmiError) as err:
                self.last_error = f"connection ended: {err or type(err).__name__}"
                log.warning("AMI %s: %s", self.peer, self.last_error)
            if self._closing:
                break
            if self.sessions > logged_in:
                delay = self._settings.backoff_seconds
            log.info("AMI %s: reconnecting in %.1f s", self.peer, delay)
            await self._sleep(delay)
            delay = min(delay * 2, self._settings.backoff_max_seconds)

    async def close(self) -> None:
        """Log off (best effort) and stop reconnecting."""
        self._closing = True
        if self.connected:
            with contextlib.suppress(AmiError, OSError, TimeoutError):
                await self.action("Logoff", timeout=2)
        if self._writer is not None:
            self._writer.close()

    async def action(
        self, name: str, fields: Fields = (), *, timeout: float | None = None
    ) -> Message:
        """Send an action and return Asterisk's response (Success or Error: check `name`)."""
        response, _ = await self._request(name, fields, listing=False, timeout=timeout)
        return response

    async def list_action(
        self, name: str, fields: Fields = (), *, timeout: float | None = None
    ) -> tuple[Message, list[Message]]:
        """Send a list action (QueueStatus, CoreShowChannels, Status…): the response and the
        events of the list, collected until the one with `EventList: Complete`."""
        return await self._request(name, fields, listing=True, timeout=timeout)

    async def action_with_event(
        self, name: str, fields: Fields, event: str, *, timeout: float | None = None
    ) -> tuple[Message, asyncio.Future[Message]]:
        """Send an action whose outcome comes later as an event carrying its ActionID (an
        async Originate's OriginateResponse): the response, and a future of that event."""
        action_id = self._next_id()
        waiter: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiters[action_id] = waiter
        try:
            response, _ = await self._request(
                name, fields, listing=False, timeout=timeout, action_id=action_id
            )
        except BaseException:
            self._waiters.pop(action_id, None)
            raise
        if response.name != "Success":
            self._waiters.pop(action_id, None)
            waiter.cancel()
        return response, waiter

    async def _request(
        self,
        name: str,
        fields: Fields,
        *,
        listing: bool,
        timeout: float | None,
        action_id: str | None = None,
        require_login: bool = True,
    ) -> tuple[Message, list[Message]]:
        writer = self._writer
        if writer is None or (require_login and not self.connected):
            raise AmiConnectionLost(f"AMI {self.peer} is not connected: {name} not sent")
        action_id = action_id or self._next_id()
        future: asyncio.Future[tuple[Message, list[Message]]]
        future = asyncio.get_running_loop().create_future()
        self._pending[action_id] = _Pending(name, future, listing)
        try:
            writer.write(encode_action(name, action_id, fields))
            return await asyncio.wait_for(future, timeout or self._settings.timeout_seconds)
        except TimeoutError:
            raise AmiTimeout(f"AMI {self.peer}: no answer to {name} ({action_id})") from None
        finally:
            self._pending.pop(action_id, None)

    async def _session(self) -> None:
        settings = self._settings
        reader, writer = await asyncio.wait_for(
            self._connect(settings.host, settings.port), settings.timeout_seconds
        )
        parser = AmiParser(self._drop)
        if self._parser is not None:
            self._dropped_before += self._parser.dropped
        self._parser = parser
        reading: asyncio.Task[None] | None = None
        keepalive: asyncio.Task[None] | None = None
        try:
            banner = await asyncio.wait_for(self._banner(reader, parser), settings.timeout_seconds)
            log.info("AMI %s: connected (%s)", self.peer, banner.version)
            self._writer = writer
            reading = asyncio.create_task(self._read(reader, parser), name="ami-reader")
            login = asyncio.create_task(self._login())
            await asyncio.wait({login, reading}, return_when=asyncio.FIRST_COMPLETED)
            if not login.done():
                login.cancel()
                await reading  # raises what ended the connection
                raise AmiConnectionLost("connection closed during login")
            await login  # raises AmiAuthError
            self.sessions += 1
            self.last_error = None
            self._ready.set()
            keepalive = asyncio.create_task(self._keepalive(), name="ami-ping")
            if self._on_connect is not None:
                await self._on_connect()
            await reading
        finally:
            self._ready.clear()
            self._writer = None
            for task in (reading, keepalive):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            writer.close()
            self._fail_pending()

    async def _banner(self, reader: asyncio.StreamReader, parser: AmiParser) -> Banner:
        while True:
            data = await reader.read(65536)
            if not data:
                raise EOFError("closed before the AMI banner")
            items = parser.feed(data)
            if items:
                first = items[0]
                if not isinstance(first, Banner):
                    raise FramingError(f"not an AMI server: {first!r}")
                for item in items[1:]:
                    self._dispatch(item)
                return first

    async def _login(self) -> None:
        settings = self._settings
        response, _ = await self._request(
            "Login",
            [("Username", settings.username), ("Secret", settings.secret)],
            listing=False,
            timeout=None,
            require_login=False,
        )
        if response.name != "Success":
            raise AmiAuthError(response.get("Message") or response.name)

    async def _read(self, reader: asyncio.StreamReader, parser: AmiParser) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                if parser.pending:
                    log.warning("AMI %s: stream ended inside a message", self.peer)
                return
            for item in parser.feed(data):
                self._dispatch(item)

    def _dispatch(self, item: Message | Banner | Malformed) -> None:
        if isinstance(item, Malformed):
            self.malformed += 1
            log.warning(
                "AMI %s: skipped a malformed block (%s): %r", self.peer, item.reason, item.head
            )
            return
        if isinstance(item, Banner) or self._answers(item):
            return
        if item.kind == "event":
            try:
                self._on_event(item)
            except Exception:
                log.exception("AMI %s: event handler failed on %s", self.peer, item.name)

    def _answers(self, item: Message) -> bool:
        """Hand a message carrying an ActionID to the action waiting for it; False when
        nobody waits for it (an ordinary event)."""
        action_id = item.action_id
        if action_id is None:
            return False
        pending = self._pending.get(action_id)
        if pending is not None and not pending.future.done():
            if item.kind == "response":
                pending.response = item
                if not pending.listing or item.name != "Success":
                    pending.future.set_result((item, []))
            elif item.get("EventList") == "Complete":
                pending.future.set_result((pending.response or item, pending.items))
            else:
                pending.items.append(item)
            return True
        waiter = self._waiters.pop(action_id, None) if item.kind == "event" else None
        if waiter is not None and not waiter.done():
            waiter.set_result(item)
        return waiter is not None

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self._settings.ping_seconds)
            try:
                await self.action("Ping")
            except AmiError as err:
                log.warning("AMI %s: keep-alive Ping failed (%s); reconnecting", self.peer, err)
                if self._writer is not None:
                    self._writer.close()
                return

    def _fail_pending(self) -> None:
        for action_id, pending in list(self._pending.items()):
            if not pending.future.done():
                pending.future.set_exception(
                    AmiConnectionLost(
                        f"AMI {self.peer}: connection lost before {pending.action} "
                        f"({action_id}) was answered; not re-sent"
                    )
                )
        for action_id, waiter in list(self._waiters.items()):
            if not waiter.done():
                waiter.set_exception(
                    AmiConnectionLost(
                        f"AMI {self.peer}: connection lost before the outcome of {action_id}; "
                        "not re-sent"
                    )
                )
        self._pending.clear()
        self._waiters.clear()
