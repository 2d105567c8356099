"""The call service over SQL: one id per conversation, ordered events, derived summaries."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.calls.lifecycle import rebuild
from callcenter.calls.models import (
    CallEventType,
    CallQuery,
    CallState,
    Direction,
    NoSuchCallError,
    ProviderRef,
)
from callcenter.calls.service import CallService
from callcenter.core.clock import ManualClock
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.pg import FastPg
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.tickets.models import NewTicket, TicketType
from callcenter.tickets.service import TicketService
from tests.conftest import NOW

E = CallEventType
CALLER = "+8613800138000"
HOTLINE = "+861095598"


@pytest.fixture
def service(engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock) -> CallService:
    return CallService(SqlCallRepository(engine, fast_pg), clock)


async def test_provider_retry_maps_to_the_same_call(service: CallService) -> None:
    ref = ProviderRef("twilio", "CA1042bb91")
    first = await service.start(Direction.INBOUND, CALLER, HOTLINE, ref)
    again = await service.start(Direction.INBOUND, CALLER, HOTLINE, ref)
    assert first.id == again.id
    assert len((await service.detail(first.id)).events) == 1


async def test_events_fold_into_the_stored_summary(
    service: CallService, clock: ManualClock
) -> None:
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE, ProviderRef("twilio", "CA1"))
    steps: list[tuple[int, CallEventType, dict[str, Any]]] = [
        (1, E.IVR_ENTERED, {}),
        (2, E.IVR_STEP, {"node": "greeting"}),
        (3, E.CUSTOMER_IDENTIFIED, {"customer_id": 5, "account_id": 9}),
        (10, E.QUEUED, {"queue": "billing"}),
        (40, E.OFFERED, {"agent_id": 3}),
        (42, E.AGENT_CONNECTED, {"agent_id": 3}),
        (100, E.HUNG_UP, {"reason": "caller"}),
        (130, E.WRAP_UP_DONE, {"disposition": "resolved"}),
    ]
    for seconds, kind, data in steps:
        clock.set(NOW + timedelta(seconds=seconds))
        await service.record(call.id, kind, data)
    detail = await service.detail(call.id)
    stored = detail.record
    assert stored.state is CallState.ENDED
    assert (stored.customer_id, stored.queue, stored.agent_id) == (5, "billing", 3)
    assert (stored.wait_seconds, stored.talk_seconds, stored.disposition) == (32, 58, "resolved")
    assert [e.seq for e in detail.events] == list(range(1, 10))
    assert rebuild(detail.events) == stored


async def test_linked_provider_ids_find_the_call(service: CallService) -> None:
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE, ProviderRef("asterisk", "1.1"))
    await service.link_provider(call.id, ProviderRef("asterisk", "1.2"))
    await service.link_provider(call.id, ProviderRef("asterisk", "1.2"))
    found = await service.find_by_provider(ProviderRef("asterisk", "1.2"))
    assert found is not None and found.id == call.id
    assert await service.find_by_provider(ProviderRef("asterisk", "9.9")) is None


async def test_concurrent_appends_get_distinct_sequence_numbers(service: CallService) -> None:
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    await service.record(call.id, E.IVR_ENTERED)
    await asyncio.gather(
        *(service.record(call.id, E.IVR_STEP, {"node": f"n{i}"}) for i in range(20))
    )
    detail = await service.detail(call.id)
    assert [e.seq for e in detail.events] == list(range(1, 23))
    assert len(detail.record.ivr_path) == 20


async def test_two_instances_appending_in_turn_keep_one_history(
    engine: AsyncEngine, fast_pg: FastPg | None, clock: ManualClock, service: CallService
) -> None:
    # Each instance remembers the record it last wrote; the other's writes make that stale.
    other = CallService(SqlCallRepository(engine, fast_pg), clock)
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    await other.record(call.id, E.IVR_ENTERED)
    for i in range(3):
        await service.record(call.id, E.IVR_STEP, {"node": f"a{i}"})
        await other.record(call.id, E.IVR_STEP, {"node": f"b{i}"})
    record = await service.record(call.id, E.QUEUED, {"queue": "general"})
    detail = await other.detail(call.id)
    assert [e.seq for e in detail.events] == list(range(1, 10))
    assert record == detail.record
    assert record.ivr_path == ("a0", "b0", "a1", "b1", "a2", "b2")
    assert record.state is CallState.QUEUED


async def test_refused_transition_stores_nothing(service: CallService) -> None:
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    with pytest.raises(Exception, match="not possible"):
        await service.record(call.id, E.WRAP_UP_DONE, {"disposition": "x"})
    detail = await service.detail(call.id)
    assert (len(detail.events), detail.record.state) == (1, CallState.RINGING)


async def test_unknown_call(service: CallService) -> None:
    with pytest.raises(NoSuchCallError):
        await service.record("0" * 26, E.IVR_ENTERED)
    with pytest.raises(NoSuchCallError):
        await service.get("0" * 26)


async def test_search_filters_and_pages(service: CallService, clock: ManualClock) -> None:
    ids = []
    for n in range(5):
        clock.set(NOW + timedelta(minutes=n))
        call = await service.start(Direction.INBOUND, f"+861380013800{n}", HOTLINE)
        ids.append(call.id)
    await service.record(ids[1], E.HUNG_UP)
    page, total = await service.search(CallQuery(limit=2, offset=1))
    assert total == 5 and [c.id for c in page] == [ids[3], ids[2]]
    page, total = await service.search(CallQuery(number="+8613800138001"))
    assert (total, page[0].id, page[0].disposition) == (1, ids[1], "abandoned")
    page, total = await service.search(CallQuery(disposition="abandoned"))
    assert total == 1
    page, total = await service.search(
        CallQuery(since=NOW + timedelta(minutes=1), until=NOW + timedelta(minutes=3))
    )
    assert [c.id for c in page] == [ids[2], ids[1]]


async def test_ticket_created_from_a_call_is_linked_both_ways(
    engine: AsyncEngine, service: CallService, clock: ManualClock
) -> None:
    call = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    tickets = TicketService(SqlTicketRepository(engine), clock)
    ticket = await tickets.open(
        NewTicket(TicketType.FAULT_REPAIR, "家里停电", "ivr", call_id=call.id)
    )
    assert ticket.number.startswith("20260310") and ticket.call_ids == (call.id,)
    assert [e.type for e in ticket.events] == ["created"]
    detail = await service.detail(call.id)
    assert [(t.number, t.relation) for t in detail.tickets] == [(ticket.number, "created")]
    again = await tickets.get(ticket.id)
    assert again == ticket


async def test_search_by_customer_and_agent(service: CallService) -> None:
    first = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    second = await service.start(Direction.INBOUND, CALLER, HOTLINE)
    await service.record(first.id, E.CUSTOMER_IDENTIFIED, {"customer_id": 7, "account_id": 70})
    kinds: list[tuple[CallEventType, dict[str, Any]]] = [
        (E.IVR_ENTERED, {}),
        (E.QUEUED, {"queue": "billing"}),
        (E.AGENT_CONNECTED, {"agent_id": 12}),
    ]
    for kind, data in kinds:
        await service.record(second.id, kind, data)
    by_customer, _ = await service.search(CallQuery(customer_id=7))
    by_agent, _ = await service.search(CallQuery(agent_id=12))
    assert [c.id for c in by_customer] == [first.id]
    assert [c.id for c in by_agent] == [second.id]
