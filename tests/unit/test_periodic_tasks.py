"""`every`, the loop of the periodic jobs (the SLA and recordings sweeps, the reload of
queues and agents): a job that fails goes on, a cancel stops it even when the job's
database client swallows the cancellation, and the reload waits a period before its first
round (the start has just loaded everything)."""

from __future__ import annotations

import asyncio

from callcenter.core.tasks import every

PERIOD = 0.01


async def test_a_failing_job_is_run_again() -> None:
    rounds: list[int] = []

    async def job() -> None:
        rounds.append(len(rounds))
        if len(rounds) < 3:
            raise OSError("the database is away")

    task = asyncio.create_task(every(PERIOD, job))
    while len(rounds) < 3:
        await asyncio.sleep(PERIOD)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert task.done() and len(rounds) >= 3


async def test_a_cancel_the_job_swallows_still_ends_the_loop() -> None:
    started = asyncio.Event()
    rounds: list[int] = []

    async def job() -> None:
        rounds.append(1)
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:  # a client library racing its own time-out
            raise ConnectionResetError(104, "closed while connecting") from None

    task = asyncio.create_task(every(PERIOD, job))
    await started.wait()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert done and rounds == [1]


async def test_not_at_once_waits_a_period_before_the_first_round() -> None:
    rounds: list[float] = []
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def job() -> None:
        rounds.append(loop.time() - began)

    task = asyncio.create_task(every(0.05, job, at_once=False))
    await asyncio.sleep(0)
    assert rounds == []
    while not rounds:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert rounds[0] >= 0.05
