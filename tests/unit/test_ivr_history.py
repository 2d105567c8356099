"""Issue 17: the call record's events read back as the IVR's steps (`CallIvrHistory`), the
identified account by its number; a record that cannot be read is an empty history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from callcenter.callflow.ivr_history import CallIvrHistory
from callcenter.calls.models import (
    CallEvent,
    CallEventType,
    CallRecord,
    CallState,
    Direction,
    NoSuchCallError,
)
from callcenter.calls.service import CallDetail
from callcenter.core.errors import UnavailableError
from ivr_flows.events import LookupStatus
from ivr_flows.history import (
    AnswerGiven,
    IvrHistory,
    LookupDone,
    NodeVisited,
    TicketNumbered,
)
from ivr_flows.models import LookupKind, Session
from tests.conftest import NOW

E = CallEventType
EVENTS: list[tuple[CallEventType, dict[str, Any]]] = [
    (E.STARTED, {"direction": "inbound"}),
    (E.IVR_ENTERED, {}),
    (E.IVR_STEP, {"node": "greeting", "flow": "95598"}),
    (E.IVR_STEP, {"node": "identify", "flow": "95598"}),
    (E.LOOKUP_MADE, {"lookup": "caller", "status": "not_found"}),
    (E.IVR_STEP, {"node": "ask_account", "flow": "95598"}),
    (E.DIGITS_RECEIVED, {"node": "ask_account", "digits": "******0001"}),
    (E.LOOKUP_MADE, {"lookup": "account", "status": "found"}),
    (E.CUSTOMER_IDENTIFIED, {"customer_id": 1, "account_id": 7}),
    (E.NOTE_ADDED, {"kind": "notify_on_restore"}),
    (E.LOOKUP_MADE, {"lookup": "weather", "status": "found"}),  # not a look-up of ours
    (E.IVR_STEP, {"node": "describe_fault", "flow": "95598"}),
    (E.DIGITS_RECEIVED, {"node": "describe_fault", "speech": "没电"}),
    (E.TICKET_LINKED, {"number": "GD202603100001"}),
    (E.PROVIDER_STATUS, {"status": "in-progress"}),
]
STEPS = (
    NodeVisited("95598", "greeting"),
    NodeVisited("95598", "identify"),
    LookupDone(LookupKind.CALLER, LookupStatus.NOT_FOUND),
    NodeVisited("95598", "ask_account"),
    AnswerGiven("ask_account", "******0001"),
    LookupDone(LookupKind.ACCOUNT, LookupStatus.FOUND, "3300000001"),
    NodeVisited("95598", "describe_fault"),
    AnswerGiven("describe_fault", speech="没电"),
    TicketNumbered("GD202603100001"),
)


@dataclass
class FakeCalls:
    """One call's record and events, or an error reading them."""

    events: list[tuple[CallEventType, dict[str, Any]]]
    state: CallState = CallState.IVR
    error: Exception | None = None
    recorded: list[tuple[CallEventType, dict[str, Any]]] = field(default_factory=list)

    async def detail(self, call_id: str) -> CallDetail:
        if self.error is not None:
            raise self.error
        record = CallRecord(call_id, Direction.INBOUND, "+8613900009999", "95598", self.state, NOW)
        timeline = [CallEvent(call_id, n, NOW, t, d) for n, (t, d) in enumerate(self.events, 1)]
        return CallDetail(record, timeline, [])

    async def record_many(
        self, call_id: str, events: list[tuple[CallEventType, dict[str, Any]]]
    ) -> CallRecord:
        self.recorded += events
        return (await self.detail(call_id)).record


class Accounts:
    async def number_of(self, account_id: int) -> str | None:
        return {7: "3300000001"}.get(account_id)


async def test_the_record_reads_back_as_the_ivr_steps() -> None:
    assert await CallIvrHistory(FakeCalls(EVENTS), Accounts()).last_steps("c1") == IvrHistory(STEPS)


async def test_an_account_gone_since_leaves_the_lookup_without_a_number() -> None:
    events = [*EVENTS[:8], (E.CUSTOMER_IDENTIFIED, {"customer_id": 1, "account_id": 8})]
    history = await CallIvrHistory(FakeCalls(events), Accounts()).last_steps("c1")
    assert history.steps[-1] == LookupDone(LookupKind.ACCOUNT, LookupStatus.FOUND)


async def test_a_campaign_target_identified_without_a_lookup_adds_nothing() -> None:
    events = [(E.STARTED, {}), (E.CUSTOMER_IDENTIFIED, {"customer_id": 1, "account_id": 7})]
    assert await CallIvrHistory(FakeCalls(events), Accounts()).last_steps("c1") == IvrHistory()


async def test_a_call_over_is_an_ended_history() -> None:
    calls = FakeCalls(EVENTS, CallState.ENDED)
    assert await CallIvrHistory(calls, Accounts()).last_steps("c1") == IvrHistory(ended=True)


UNREADABLE = [
    NoSuchCallError("no call with id 'c1'"),
    UnavailableError("database unavailable"),
    OperationalError("SELECT", {}, ConnectionRefusedError("refused")),
]


@pytest.mark.parametrize("error", UNREADABLE, ids=lambda e: type(e).__name__)
async def test_a_record_that_cannot_be_read_is_an_empty_history(error: Exception) -> None:
    calls = FakeCalls(EVENTS, error=error)
    assert await CallIvrHistory(calls, Accounts()).last_steps("c1") == IvrHistory()


async def test_a_bug_reading_the_record_is_not_hidden() -> None:
    calls = FakeCalls(EVENTS, error=RuntimeError("a bug"))
    with pytest.raises(RuntimeError):
        await CallIvrHistory(calls, Accounts()).last_steps("c1")


async def test_the_rebuild_is_recorded() -> None:
    calls = FakeCalls(EVENTS)
    session = Session("c1", "95598", "bill_menu", "en-US")
    await CallIvrHistory(calls, Accounts()).record_rebuilt("c1", session)
    assert calls.recorded == [
        (E.IVR_REBUILT, {"flow": "95598", "node": "bill_menu", "language": "en-US"})
    ]
