"""Issue 17: an IVR session lost (Redis restarted without its data) is rebuilt from what the
call record says — the real `IvrService` and flows, with services and a history faked from
the records the service itself wrote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from callcenter.simulate import MemorySessions, parse_presses
from ivr_flows import commands as c
from ivr_flows.commands import IvrReply
from ivr_flows.events import CallerInput, LookupAnswered, LookupStatus, QueueLeft
from ivr_flows.history import (
    AnswerGiven,
    IvrHistory,
    LookupDone,
    NodeVisited,
    PastStep,
    TicketNumbered,
)
from ivr_flows.models import Frame, LookupKind, Session
from ivr_flows.rebuild import Replayed, redo_command, replay
from ivr_flows.service import IvrService
from tests.ivr_helpers import FLOWS, ZHANG

CALL = "c1"
ZHANG_PHONE = "+8613800138000"
STRANGER = "+8613900009999"
ZHANG_ACCOUNT = "3300000001"
ACCOUNT_ID = 7
ZHANG_VALUES = ZHANG | {"account_id": ACCOUNT_ID, "payment_mode": "postpaid"}
BILL = {"payment_mode": "postpaid", "arrears": "500.00", "late_fee": "9.00", "total_due": "509.00"}
L, S = LookupKind, LookupStatus
GREETING = [("greeting", "zh-CN"), ("language_choice", "en-US")]


@dataclass
class FakeServices:
    """Zhang's account by his number or its own; records what the service writes."""

    records: list[c.IvrRecord] = field(default_factory=list)
    lookups: list[c.Lookup] = field(default_factory=list)

    async def lookup(self, call_id: str, command: c.Lookup) -> LookupAnswered:
        self.lookups.append(command)
        known = command.phone == ZHANG_PHONE or command.account_no == ZHANG["account_no"]
        if command.kind in (L.CALLER, L.ACCOUNT) and command.account_no in (None, "3300000001"):
            return LookupAnswered(S.FOUND, ZHANG_VALUES) if known else LookupAnswered(S.NOT_FOUND)
        if command.kind is L.BILL and command.account_no == ZHANG["account_no"]:
            return LookupAnswered(S.FOUND, BILL)
        return LookupAnswered(S.NOT_FOUND if command.kind is L.OUTAGE else S.FOUND)

    async def open_ticket(self, call_id: str, command: c.OpenTicket) -> str:
        return "T1"

    async def enqueue(
        self, call_id: str, command: c.Enqueue, variables: Mapping[str, Any]
    ) -> c.Queued | None:
        return c.Queued(command.queue, 0)

    async def record(self, call_id: str, records: Sequence[c.IvrRecord]) -> None:
        self.records += records


@dataclass
class RecordHistory:
    """The call record as `callcenter.callflow.ivr_history` reads it back: the steps the
    service recorded (identified accounts by number)."""

    services: FakeServices
    ended: bool = False
    fixed: tuple[PastStep, ...] | None = None  # a record given as is
    rebuilt: list[Session] = field(default_factory=list)

    async def last_steps(self, call_id: str) -> IvrHistory:
        if self.fixed is not None:
            return IvrHistory(self.fixed)
        steps: list[PastStep] = []
        for r in self.services.records:
            if isinstance(r, c.NodeEntered):
                steps.append(NodeVisited(r.flow, r.node))
            elif isinstance(r, c.InputTaken):
                steps.append(AnswerGiven(r.node, r.digits, r.speech))
            elif isinstance(r, c.LookupMade):
                number = ZHANG_ACCOUNT if r.account_id == ACCOUNT_ID else None
                steps.append(LookupDone(r.kind, S(r.status), number))
            elif isinstance(r, c.TicketLinked):
                steps.append(TicketNumbered(r.number))
        return IvrHistory(tuple(steps), self.ended)

    async def record_rebuilt(self, call_id: str, session: Session) -> None:
        self.rebuilt.append(session)


@dataclass
class Call:
    """One call through the service, as the Twilio adapter drives it."""

    ivr: IvrService
    services: FakeServices
    history: RecordHistory
    store: MemorySessions
    caller: str
    reply: IvrReply | None = None

    @property
    def variables(self) -> dict[str, str]:
        return {"caller": self.caller, "called": "+861095598", "call_id": CALL}

    async def ring(self) -> Call:
        self.reply = await self.ivr.start(CALL, self.variables)
        return self

    async def send(self, event: CallerInput | QueueLeft, seq: int | None = None) -> IvrReply:
        seq = self.reply.session.seq if self.reply and seq is None else seq
        self.reply = await self.ivr.handle(CALL, event, seq, self.variables)
        return self.reply

    async def walk(self, presses: str) -> None:
        """`- 2 say:家里没电`: silence, keys 2, words (`callcenter ivr simulate`'s notation)."""
        for given in parse_presses(presses):
            await self.send(given)

    def lose_redis(self) -> None:
        self.store._items.clear()

    def heard(self) -> list[tuple[str, str]]:
        assert self.reply is not None
        return [(x.prompt, x.language) for x in self.reply.commands if isinstance(x, c.Say)]


def new_call(caller: str = ZHANG_PHONE, rebuilds: bool = True) -> Call:
    services = FakeServices()
    history = RecordHistory(services)
    store = MemorySessions()
    ivr = IvrService(FLOWS, "95598", store, services)
    if rebuilds:
        ivr.use_history(history)
    return Call(ivr, services, history, store, caller)


MASKED = {"account_input"}  # keyed account numbers are recorded masked: not restored
# (caller, presses before Redis is lost, node asked again, the session's language, what
# the caller hears: prompt and its language, values the session has again)
REBUILDS = [
    ("bill menu", ZHANG_PHONE, "- 2", "bill_menu", "zh-CN", BILL | ZHANG_VALUES),
    ("english fault menu", ZHANG_PHONE, "9 1", "fault_menu", "en-US", ZHANG_VALUES),
    ("keyed account", STRANGER, "- - 3300000001", "main_menu", "zh-CN", ZHANG_VALUES),
    ("language menu", ZHANG_PHONE, "", "language", "zh-CN", {}),
    (
        "after a fault report",
        ZHANG_PHONE,
        "- 1 2 say:家里没电",
        "fault_reported",
        "zh-CN",
        {"ticket_number": "T1", "fault_description": "家里没电"},
    ),
]
PROMPTS = {"language": ("language_choice", "en-US")}  # spoken in English whatever the call's


@pytest.mark.parametrize(
    ("caller", "presses", "node", "language", "values"),
    [pytest.param(*row[1:], id=row[0]) for row in REBUILDS],
)
async def test_the_lost_session_is_rebuilt_and_asks_its_question_again(
    caller: str, presses: str, node: str, language: str, values: dict[str, Any]
) -> None:
    call = await new_call(caller).ring()
    await call.walk(presses)
    before = call.reply
    assert before is not None and before.session.node == node
    call.lose_redis()
    reply = await call.send(CallerInput("1"))  # an answer to a question whose context is lost
    assert call.heard() == [PROMPTS.get(node, (node, language))] and not reply.over
    assert reply.commands[-1] == before.commands[-1]  # the same Gather
    session = reply.session
    assert (session.flow, session.node, session.language) == ("95598", node, language)
    assert session.path == before.session.path and session.seq == before.session.seq + 1
    kept = {k: v for k, v in before.session.vars.items() if k not in MASKED}
    assert session.vars == kept | {"rebuilt": True} and values.items() <= session.vars.items()
    assert call.history.rebuilt == [session]
    assert await call.store.load(CALL) == (session, reply.commands)


async def test_the_rebuilt_caller_is_still_identified_and_goes_on() -> None:
    call = await new_call(STRANGER).ring()
    await call.walk("- - 3300000001")
    call.lose_redis()
    await call.send(CallerInput("2"))
    reply = await call.send(CallerInput("2"))  # the bill, without keying the account again
    said = [x for x in reply.commands if isinstance(x, c.Say)]
    assert said[0].prompt == "bill_postpaid" and said[0].params["arrears"] == "500.00"
    assert call.services.lookups[-1] == c.Lookup(L.BILL, STRANGER, "3300000001")


async def test_a_retry_of_the_request_gets_the_rebuilt_question_once() -> None:
    call = await new_call().ring()
    await call.walk("- 2")
    seq = call.reply.session.seq if call.reply else 0
    call.lose_redis()
    first = await call.send(CallerInput("1"), seq)
    again = await call.send(CallerInput("1"), seq)  # Twilio retries the same request
    assert again.commands == first.commands and again.session == first.session
    assert len(call.history.rebuilt) == 1


async def test_inside_a_subflow_the_return_point_is_rebuilt() -> None:
    call = await new_call().ring()
    await call.walk("- 0")  # an agent
    await call.send(QueueLeft("bridged"))  # then the survey
    before = call.reply
    assert before is not None and (before.session.flow, before.session.node) == ("survey", "ask")
    call.lose_redis()
    reply = await call.send(CallerInput("9"))
    assert reply.session.stack == (Frame("95598", "goodbye"),) == before.session.stack
    assert call.heard() == [("ask", "zh-CN")]  # the survey's question, asked again
    assert reply.commands[-1] == before.commands[-1]
    done = await call.send(CallerInput("5"))
    assert done.session.vars["satisfaction"] == 5 and done.session.finished


async def test_a_call_already_over_only_hangs_up() -> None:
    call = await new_call().ring()
    await call.walk("-")
    call.lose_redis()
    call.history.ended = True
    reply = await call.send(CallerInput("1"))
    assert reply.over and reply.commands == [c.Hangup()] and reply.session.closed


# Histories that cannot be rebuilt: the caller starts from the entry, as before issue 17.
NOT_REBUILT = {
    "no record or no IVR step": (),
    "an outbound message flow": (NodeVisited("re-notice", "intro"),),
    "a node the flows do not have": (NodeVisited("95598", "greeting"), NodeVisited("95598", "x")),
    "waiting in a queue": (
        NodeVisited("95598", "main_menu"),
        NodeVisited("95598", "agent_chinese"),
    ),
    "a flow never called": (NodeVisited("95598", "main_menu"), NodeVisited("survey", "ask")),
}


@pytest.mark.parametrize("steps", NOT_REBUILT.values(), ids=NOT_REBUILT.keys())
async def test_without_a_usable_record_the_caller_starts_from_the_entry(
    steps: tuple[PastStep, ...],
) -> None:
    call = new_call()
    call.history.fixed = steps
    reply = await call.send(CallerInput("1"))
    assert call.heard() == GREETING and reply.session.node == "language"
    assert "rebuilt" not in reply.session.vars and call.history.rebuilt == []


async def test_without_a_history_wired_the_caller_starts_from_the_entry() -> None:
    call = await new_call(rebuilds=False).ring()
    await call.walk("- 2")
    call.lose_redis()
    await call.send(CallerInput("1"))
    assert call.heard() == GREETING


LOOKUPS_REDONE = [
    (LookupDone(L.CALLER, S.FOUND, "3300000001"), None, c.Lookup(L.ACCOUNT, None, "3300000001")),
    (LookupDone(L.CALLER, S.FOUND), None, c.Lookup(L.CALLER, ZHANG_PHONE)),
    (LookupDone(L.CALLER, S.MANY), None, c.Lookup(L.CALLER, ZHANG_PHONE)),
    (
        LookupDone(L.ACCOUNT, S.FOUND, "3300000002"),
        "3300000001",
        c.Lookup(L.ACCOUNT, None, "3300000002"),
    ),
    (LookupDone(L.ACCOUNT, S.FOUND), None, None),
    (LookupDone(L.CALLER, S.NOT_FOUND), None, None),
    (LookupDone(L.BILL, S.FOUND), "3300000001", c.Lookup(L.BILL, ZHANG_PHONE, "3300000001")),
    (LookupDone(L.OUTAGE, S.FOUND), "3300000001", c.Lookup(L.OUTAGE, ZHANG_PHONE, "3300000001")),
    (LookupDone(L.BILL, S.FOUND), None, None),
    (LookupDone(L.NOTIFY_RESTORE, S.FOUND), "3300000001", None),  # registered once only
]


@pytest.mark.parametrize(("past", "account_no", "expected"), LOOKUPS_REDONE)
def test_which_lookups_are_done_again(
    past: LookupDone, account_no: str | None, expected: c.Lookup | None
) -> None:
    assert redo_command(past, ZHANG_PHONE, account_no) == expected


def test_answers_restore_collected_values_but_never_masked_ones() -> None:
    steps: list[Replayed] = [
        NodeVisited("95598", "greeting"),
        NodeVisited("95598", "ask_account"),
        AnswerGiven("ask_account", "******0001"),  # masked: the account is looked up again
        NodeVisited("95598", "lookup_account"),
        LookupAnswered(S.FOUND, ZHANG_VALUES),
        NodeVisited("95598", "main_menu"),
        AnswerGiven("main_menu", "1"),
        NodeVisited("95598", "fault_menu"),
        AnswerGiven("fault_menu", "2"),
        NodeVisited("95598", "describe_fault"),
    ]
    rebuilt = replay(FLOWS, CALL, steps, {"caller": STRANGER}, 9)
    assert rebuilt is not None
    session, commands = rebuilt
    assert "account_input" not in session.vars and session.vars["account_no"] == "3300000001"
    assert session.node == "describe_fault" and session.seq == 9
    assert [type(x) for x in commands] == [c.Say, c.Tone, c.Gather]  # "after the tone"
    said = replay(FLOWS, CALL, [*steps, AnswerGiven("describe_fault", speech="没电")], {}, 9)
    assert said is not None and said[0].vars["fault_description"] == "没电"
