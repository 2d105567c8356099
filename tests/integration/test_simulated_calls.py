"""Simulated calls: marked on the record (SQL and asyncpg paths), rebuilt from the events,
left out of searches unless asked for."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.lifecycle import rebuild
from callcenter.calls.models import CallEventType, CallQuery, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.pg import FastPg

CALLER = "+8613800138000"
HOTLINE = "+861095598"


@pytest.fixture
def service(engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock) -> CallService:
    return CallService(SqlCallRepository(engine, fast_pg), clock)


async def test_a_simulated_call_is_stored_marked_and_rebuilds_marked(
    service: CallService,
) -> None:
    ref = ProviderRef("twilio", "CA" + "1" * 32)
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE, ref, simulated=True)
    await service.record(call.id, CallEventType.IVR_ENTERED)
    stored = await service.get(call.id)
    assert stored.simulated is True
    assert rebuild((await service.detail(call.id)).events) == stored


@pytest.mark.parametrize(
    ("include", "expected"),
    [(False, {"real"}), (True, {"real", "simulated"})],
)
async def test_search_leaves_simulated_calls_out_unless_asked(
    service: CallService, include: bool, expected: set[str]
) -> None:
    real = await service.start(Direction.INBOUND, CALLER, HOTLINE, ProviderRef("twilio", "CA1"))
    fake = await service.start(
        Direction.INBOUND, CALLER, HOTLINE, ProviderRef("twilio", "CA2"), simulated=True
    )
    names = {real.id: "real", fake.id: "simulated"}
    found, total = await service.search(CallQuery(include_simulated=include))
    assert {names[r.id] for r in found} == expected
    assert total == len(expected)
