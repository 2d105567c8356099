"""Long-running loops and cancellation."""

from __future__ import annotations

import asyncio


def cancel_requested() -> bool:
    """Whether the current task was asked to stop. A loop checks this as well as catching
    `CancelledError`: a client library that swallows the error (seen with the in-process
    Redis store's connection) would otherwise keep the loop, and the app's shutdown, going
    forever."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
