"""Drive the pure IVR engine like a telephony adapter would, and hear what the caller hears."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from ivr_flows import commands as c
from ivr_flows.engine import step
from ivr_flows.events import (
    SILENCE,
    CallerInput,
    CallStarted,
    HungUp,
    IvrEvent,
    LookupAnswered,
    LookupStatus,
    QueueLeft,
    TicketOpened,
)
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.models import Flow, Session
from ivr_flows.prompts import render

FLOWS = load_flows(default_flow_files())
T = TypeVar("T")
RECORDS = (c.NodeEntered, c.InputTaken)


@dataclass
class Dialogue:
    """A session and everything the engine asked for so far."""

    flow: Flow
    session: Session
    commands: list[c.IvrCommand] = field(default_factory=list)
    last: list[c.IvrCommand] = field(default_factory=list)

    def send(self, event: IvrEvent) -> Dialogue:
        self.session, self.last = step(self.flow, self.session, event, FLOWS)
        self.commands += self.last
        return self

    def press(self, digits: str) -> Dialogue:
        return self.send(CallerInput(digits))

    def speak(self, words: str) -> Dialogue:
        return self.send(CallerInput(speech=words))

    def silence(self) -> Dialogue:
        return self.send(SILENCE)

    def answer(self, status: str, **values: Any) -> Dialogue:
        return self.send(LookupAnswered(LookupStatus(status), values))

    def ticket(self, number: str) -> Dialogue:
        return self.send(TicketOpened(number))

    def queue_left(self, result: str) -> Dialogue:
        return self.send(QueueLeft(result))

    def hang_up(self) -> Dialogue:
        return self.send(HungUp())

    def said(self) -> list[c.Say]:
        """The prompts of the reply to the last event."""
        return [x for x in self.last if isinstance(x, c.Say)]

    def heard(self) -> str:
        """What the caller heard in reply to the last event."""
        return " ".join(render(FLOWS[x.flow], x.prompt, x.language, x.params) for x in self.said())

    def asked(self, kind: type[T]) -> T:
        """The last command of `kind` in reply to the last event."""
        found = [x for x in self.last if isinstance(x, kind)]
        assert found, f"no {kind.__name__} in {self.kinds()}"
        return found[-1]

    def kinds(self) -> list[type]:
        return [type(x) for x in self.last if not isinstance(x, RECORDS)]

    def records(self) -> list[c.InputTaken]:
        return [x for x in self.last if isinstance(x, c.InputTaken)]


def call(flow: str = "95598", caller: str = "+8613800138000") -> Dialogue:
    """A new call into `flow`, already started."""
    dialogue = Dialogue(FLOWS[flow], Session(call_id="c1", flow=flow))
    return dialogue.send(CallStarted({"caller": caller, "called": "+861095598", "call_id": "c1"}))


ZHANG = {
    "account_no": "3300000001",
    "customer_id": 1,
    "customer_name": "张伟",
    "important_grade": None,
    "account_manager_id": None,
    "vulnerable": False,
}
