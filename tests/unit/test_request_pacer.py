"""The request pacer: turns per number spaced 1/CPS apart in the order asked, numbers
independent, and a cap on requests in flight (time advanced by a fake clock, no sleeping)."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.telephony.pacing import RequestPacer


class FakeTime:
    """A monotonic clock that moves only when the pacer sleeps (or never, `frozen`)."""

    def __init__(self, frozen: bool = False) -> None:
        self.now = 0.0
        self.frozen = frozen
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += 0.0 if self.frozen else seconds


async def _starts(pacer: RequestPacer, time: FakeTime, keys: list[str]) -> list[float]:
    started = []
    for key in keys:
        async with pacer.turn(key):
            started.append(time.now)
    return started


@pytest.mark.parametrize(
    ("per_second", "keys", "expected"),
    [
        (1.0, ["a", "a", "a"], [0.0, 1.0, 2.0]),
        (2.0, ["a", "a", "a"], [0.0, 0.5, 1.0]),
        (1.0, ["a", "b", "a"], [0.0, 0.0, 1.0]),
        (0.0, ["a", "a", "a"], [0.0, 0.0, 0.0]),  # no limit
    ],
)
async def test_turns_per_number_are_spaced(
    per_second: float, keys: list[str], expected: list[float]
) -> None:
    time = FakeTime()
    pacer = RequestPacer(per_second, 10, monotonic=time.monotonic, sleep=time.sleep)

    assert await _starts(pacer, time, keys) == expected


async def test_concurrent_requests_are_served_in_the_order_asked() -> None:
    time = FakeTime(frozen=True)  # all ask at the same instant
    pacer = RequestPacer(1.0, 10, monotonic=time.monotonic, sleep=time.sleep)
    order: list[int] = []

    async def one(n: int) -> None:
        async with pacer.turn("a"):
            order.append(n)

    await asyncio.gather(*(one(n) for n in range(4)))

    assert order == [0, 1, 2, 3]
    assert time.sleeps == [1.0, 2.0, 3.0]  # each reserved its own later turn


async def test_no_more_requests_in_flight_than_the_cap() -> None:
    pacer = RequestPacer(0, 2)
    release = asyncio.Event()
    inside = 0
    most = 0

    async def one() -> None:
        nonlocal inside, most
        async with pacer.turn("a"):
            inside += 1
            most = max(most, inside)
            await release.wait()
            inside -= 1

    tasks = [asyncio.create_task(one()) for _ in range(5)]
    for _ in range(10):
        await asyncio.sleep(0)  # let every task reach the pacer
    assert inside == 2
    release.set()
    await asyncio.gather(*tasks)
    assert most == 2


@pytest.mark.parametrize(("per_second", "cap"), [(-1.0, 1), (1.0, 0)])
def test_bad_limits_are_refused(per_second: float, cap: int) -> None:
    with pytest.raises(ValueError):
        RequestPacer(per_second, cap)
