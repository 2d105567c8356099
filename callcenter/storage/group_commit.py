"""`GroupCommit`: what many requests submit at about the same time goes to the store in one
batch: items submitted while a batch is being written wait for the next one, one batch in
flight. Used for call appends (`call_batches`) and caller profiles (`profile_batches`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
R = TypeVar("R")


@dataclass(slots=True)
class _Waiting(Generic[Item, R]):
    item: Item
    done: asyncio.Future[R] = field(default_factory=lambda: asyncio.Future())


class GroupCommit(Generic[Item, R]):
    """Items submitted while `in_flight` batches are being written wait for the next one.
    `write` answers each item of a batch (a result, or the error of that item alone), or
    raises for all of them."""

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[list[R | Exception]]],
        max_batch: int,
        in_flight: int = 1,
    ) -> None:
        self._write = write
        self._max = max_batch
        self._in_flight = in_flight
        self._open: list[_Waiting[Item, R]] = []
        self._writers: set[asyncio.Task[None]] = set()
        self.batches = 0  # batches written (for tests and the benchmark)

    async def submit(self, item: Item) -> R:
        waiting: _Waiting[Item, R] = _Waiting(item)
        self._open.append(waiting)
        if len(self._writers) < self._in_flight:
            writer = asyncio.get_running_loop().create_task(self._write_all())
            self._writers.add(writer)
        return await waiting.done

    async def _write_all(self) -> None:
        try:
            while self._open:
                batch, self._open = self._open[: self._max], self._open[self._max :]
                await self._write_batch(batch)
        finally:  # at once, not in a done callback: an item submitted meanwhile starts one
            task = asyncio.current_task()
            if task is not None:
                self._writers.discard(task)

    async def _write_batch(self, batch: list[_Waiting[Item, R]]) -> None:
        try:
            results = await self._write([waiting.item for waiting in batch])
        except Exception as err:
            for waiting in batch:
                _settle(waiting.done, err)
            return
        self.batches += 1
        for waiting, result in zip(batch, results, strict=True):
            _settle(waiting.done, result)


def _settle(done: asyncio.Future[R], result: R | Exception) -> None:
    if done.done():  # the request waiting for it was cancelled
        return
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)
