"""The simulated gateway: scripted outcomes per number, a seeded mix that gives the same
outcome for the same attempt whatever the order, results through the sink after `place`
has returned (at once, or after the ring time on the injected sleep), `find`, and never a
second call for one attempt."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from callcenter.core.clock import ManualClock
from callcenter.telephony.simulated import DEFAULT_MIX, SimulatedGateway
from outbound.gateway import DialRequest, GatewayError
from outbound.models import AttemptResult, CampaignType
from tests.conftest import NOW

R = AttemptResult
CUSTOMER = "+8613800138000"


def dial(key: str, to: str = CUSTOMER) -> DialRequest:
    return DialRequest(
        key, 1, to, "+861095598", CampaignType.BILL_REMINDER, "bill-reminder", ring_seconds=20
    )


class Sink:
    """The dialer's result use case, recording."""

    def __init__(self) -> None:
        self.results: list[tuple[str, AttemptResult, str]] = []

    async def __call__(self, key: str, result: AttemptResult, provider_id: str) -> None:
        self.results.append((key, result, provider_id))


async def test_scripted_numbers_take_their_outcomes_in_turn() -> None:
    sink = Sink()
    gateway = SimulatedGateway(sink, script={CUSTOMER: [R.BUSY, R.NO_ANSWER, R.CONFIRMED]})

    ids = [await gateway.place(dial(f"1:1:{n}")) for n in range(1, 5)]
    await gateway.settle()

    assert sink.results == [
        ("1:1:1", R.BUSY, ids[0]),
        ("1:1:2", R.NO_ANSWER, ids[1]),
        ("1:1:3", R.CONFIRMED, ids[2]),
        ("1:1:4", R.CONFIRMED, ids[3]),  # the last one repeats
    ]


async def test_the_result_comes_after_place_has_returned() -> None:
    sink = Sink()
    gateway = SimulatedGateway(sink)

    provider_id = await gateway.place(dial("1:1:1"))
    delivered_before = list(sink.results)
    await gateway.settle()

    assert delivered_before == []
    assert [r[2] for r in sink.results] == [provider_id]


async def test_the_mix_is_the_same_for_the_same_seed_whatever_the_order() -> None:
    keys = [(f"3:{n}:1", f"+8613800{n:06d}") for n in range(400)]
    first, second, other = Sink(), Sink(), Sink()
    for sink, order, seed in ((first, keys, 7), (second, keys[::-1], 7), (other, keys, 8)):
        gateway = SimulatedGateway(sink, seed=seed)
        for key, to in order:
            await gateway.place(dial(key, to))
        await gateway.settle()

    outcome = {key: result for key, result, _ in first.results}
    assert outcome == {key: result for key, result, _ in second.results}
    assert outcome != {key: result for key, result, _ in other.results}
    counts = Counter(outcome.values())
    assert set(counts) == set(DEFAULT_MIX)
    assert 100 <= counts[R.CONFIRMED] <= 180  # 35 % of 400, deterministic for this seed


async def test_a_ring_time_delays_the_result() -> None:
    sink = Sink()
    rang = asyncio.Event()
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        await rang.wait()

    gateway = SimulatedGateway(sink, ring_seconds=12.5, sleep=sleep)
    await gateway.place(dial("1:1:1"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert (asked, sink.results) == ([12.5], [])

    rang.set()
    await gateway.settle()
    assert len(sink.results) == 1


async def test_find_knows_the_calls_it_placed() -> None:
    clock = ManualClock(NOW)
    gateway = SimulatedGateway(Sink(), clock=clock)
    provider_id = await gateway.place(dial("1:1:1"))
    await gateway.settle()

    assert await gateway.find(dial("1:1:1"), NOW) == provider_id
    assert await gateway.find(dial("1:1:2"), NOW) is None
    assert await gateway.find(dial("1:1:1"), NOW + timedelta(seconds=1)) is None


async def test_an_attempt_is_never_placed_twice() -> None:
    gateway = SimulatedGateway(Sink())
    await gateway.place(dial("1:1:1"))

    with pytest.raises(GatewayError) as raised:
        await gateway.place(dial("1:1:1"))

    assert not raised.value.transient
    assert len(gateway.calls) == 1
    await gateway.close()


async def test_a_sink_bound_later_gets_the_results() -> None:
    sink = Sink()
    gateway = SimulatedGateway(script={CUSTOMER: [R.MACHINE]})
    gateway.bind(sink)

    await gateway.place(dial("1:1:1"))
    await gateway.settle()

    assert [r[1] for r in sink.results] == [R.MACHINE]


@pytest.mark.parametrize(
    ("script", "mix"),
    [
        ({CUSTOMER: [R.REFUSED]}, DEFAULT_MIX),  # the gate's result, not a call's
        ({CUSTOMER: []}, DEFAULT_MIX),
        ({}, {R.ANSWERED: 0.0}),
        ({}, {}),
    ],
)
def test_a_bad_script_is_refused(
    script: dict[str, list[AttemptResult]], mix: dict[AttemptResult, float]
) -> None:
    with pytest.raises(ValueError):
        SimulatedGateway(script=script, mix=mix)
