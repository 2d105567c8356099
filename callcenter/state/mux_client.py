"""`MuxRedis`: redis-py's asyncio client with its commands, scripts and pipelines sent over
one multiplexed connection (`redis_mux`), and what a shared connection cannot carry left on
redis-py's pool: blocking reads, connection state (SELECT, CLIENT …), WATCH and pub/sub.

The answers are redis-py's own: the same response callbacks, the same exceptions, the same
pipeline results; only the way to the server changed."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.client import EMPTY_RESPONSE, NEVER_DECODE
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, ResponseError, WatchError
from redis.utils import DEFAULT_RESP_VERSION

from callcenter.state.redis_mux import Endpoint, MuxUnsupportedError, RedisMux

# Commands that block their connection, hold state on it, or stream from it.
POOLED = frozenset(
    {
        "AUTH", "HELLO", "SELECT", "CLIENT", "RESET", "QUIT", "MONITOR", "DEBUG", "SHUTDOWN",
        "WATCH", "UNWATCH", "MULTI", "EXEC", "DISCARD", "WAIT", "WAITAOF",
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
    }
)  # fmt: skip
MAY_BLOCK = frozenset({"XREAD", "XREADGROUP"})  # with BLOCK
DROPPED_OPTIONS = ("keys", NEVER_DECODE)


def _pooled(args: tuple[Any, ...]) -> bool:
    name = args[0]
    word = (name.split(" ", 1)[0] if isinstance(name, str) else str(name)).upper()
    if word in POOLED:
        return True
    return word in MAY_BLOCK and any(
        isinstance(a, str | bytes)
        and str(a if isinstance(a, str) else a.decode()).upper() == "BLOCK"
        for a in args[1:]
    )


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k not in DROPPED_OPTIONS}


async def _parsed(
    callbacks: MutableMapping[Any, Any], name: Any, reply: Any, options: Mapping[str, Any]
) -> Any:
    callback = callbacks.get(name)
    if callback is None:
        return reply
    value = callback(reply, **_options(options))
    return await value if inspect.isawaitable(value) else value


def endpoint_of(client: aioredis.Redis) -> Endpoint | None:
    """Where the client's pool connects; None for TLS (kept on the pool)."""
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("ssl") or "ssl_context" in kwargs:
        return None
    return Endpoint(
        host=str(kwargs.get("host") or "localhost"),
        port=int(kwargs.get("port") or 6379),
        path=kwargs.get("path"),
        db=int(kwargs.get("db") or 0),
        username=kwargs.get("username"),
        password=kwargs.get("password"),
        connect_timeout=float(kwargs.get("socket_connect_timeout") or 5.0),
        timeout=float(kwargs.get("socket_timeout") or 5.0),
        protocol=int(kwargs.get("protocol") or DEFAULT_RESP_VERSION),
    )


class MuxRedis(aioredis.Redis):
    """See the module: `from_url` as redis-py's, then `use_mux()`."""

    _mux: RedisMux | None = None

    def use_mux(self) -> MuxRedis:
        """Send commands over one multiplexed connection (not for TLS)."""
        endpoint = endpoint_of(self)
        self._mux = RedisMux(endpoint) if endpoint is not None else None
        return self

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        mux = self._mux
        if mux is None or _pooled(args):
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        try:
            reply = await mux.call(args)
        except MuxUnsupportedError:
            self._mux = None
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        if isinstance(reply, ResponseError):
            if EMPTY_RESPONSE in options:
                return options[EMPTY_RESPONSE]
            raise reply
        options.pop(EMPTY_RESPONSE, None)
        return await _parsed(self.response_callbacks, args[0], reply, options)

    def register_script(self, script: Any) -> AsyncScript:  # type: ignore[override]
        """A `MuxScript` (redis-py's `AsyncScript` without its per-call type checks)."""
        return MuxScript(self, script)

    def pipeline(
        self, transaction: bool = True, shard_hint: str | None = None
    ) -> aioredis.client.Pipeline:
        pipe = MuxPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.mux = self._mux
        return pipe

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        if self._mux is not None:
            self._mux.close()
        await super().aclose(close_connection_pool)


class MuxScript(AsyncScript):
    """redis-py's script, run on its own client without the per-call type checks
    (a protocol `isinstance` each call); anything else as redis-py does it."""

    async def __call__(
        self,
        keys: Sequence[Any] | None = None,
        args: Iterable[Any] | None = None,
        client: Any = None,
    ) -> Any:
        if client is not None and client is not self.registered_client:
            return await super().__call__(keys, args, client)
        redis = self.registered_client
        keys = keys or []
        values = (*keys, *(args or ()))
        try:
            return await redis.evalsha(self.sha, len(keys), *values)
        except NoScriptError:
            self.sha = await redis.script_load(self.script)
            return await redis.evalsha(self.sha, len(keys), *values)


class MuxPipeline(aioredis.client.Pipeline):
    """A pipeline (a transaction by default) written in one go over the shared connection;
    with WATCH, or once it holds a pooled connection, it runs on the pool as before."""

    mux: RedisMux | None = None

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        stack = self.command_stack
        mux = self.mux
        if (
            mux is None
            or not stack
            or self.watching
            or self.connection is not None
            or any(EMPTY_RESPONSE in options or _pooled(args) for args, options in stack)
        ):
            return await super().execute(raise_on_error)
        try:
            commands = [args for args, _ in stack]
            scripts = [(str(s.sha), str(s.script)) for s in self.scripts]
            transaction = self.is_transaction or self.explicit_transaction
            if transaction:
                commands = [("MULTI",), *commands, ("EXEC",)]
            try:
                replies = await mux.call_many(commands, scripts)
            except MuxUnsupportedError:
                self.mux = None
                return await super().execute(raise_on_error)
            response = self._exec_result(replies) if transaction else replies
            if raise_on_error:
                self.raise_first_error(stack, response)
            return [
                reply
                if isinstance(reply, Exception)
                else await _parsed(self.response_callbacks, args[0], reply, options)
                for reply, (args, options) in zip(response, stack, strict=True)
            ]
        finally:
            await self.reset()  # type: ignore[no-untyped-call]

    def _exec_result(self, replies: list[Any]) -> list[Any]:
        """What EXEC answered, or the error that aborted the transaction."""
        stack = self.command_stack
        queued = replies[1:-1]
        result = replies[-1]
        if isinstance(result, Exception):
            for number, reply in enumerate(queued, start=1):
                if isinstance(reply, ResponseError):
                    self.annotate_exception(reply, number, stack[number - 1][0])
                    raise reply from result
            raise result
        if isinstance(replies[0], Exception):
            raise replies[0]
        if result is None:
            raise WatchError("Watched variable changed.")
        if len(result) != len(stack):
            raise ResponseError("Wrong number of response items from pipeline execution")
        return list(result)
