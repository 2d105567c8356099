"""Long-running loops and cancellation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def cancel_requested() -> bool:
    """Whether the current task was asked to stop. A loop checks this as well as catching
    `CancelledError`: a client library that swallows the error (seen with the in-process
    Redis store's connection) would otherwise keep the loop, and the app's shutdown, going
    forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def every(
    seconds: float, job: Callable[[], Awaitable[object]], *, at_once: bool = True
) -> None:
    """`job` now (or first after `seconds`, not `at_once`) and every `seconds` until
    cancelled; a failure is logged, never fatal."""
    if not at_once:
        await asyncio.sleep(seconds)
    while not cancel_requested():
        try:
            await job()
        except Exception:
            log.exception("periodic %s failed; going on", getattr(job, "__qualname__", job))
        await asyncio.sleep(seconds)  # the longest a shutdown waits for the round under way
