"""Drive the pure IVR engine like a telephony adapter would, and hear what the caller hears."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr_flows.engine import step
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.models import Command, CommandKind, Event, EventKind, Flow, Session
from ivr_flows.prompts import render

FLOWS = load_flows(default_flow_files())


@dataclass
class Dialogue:
    """A session and everything the engine asked for so far."""

    flow: Flow
    session: Session
    commands: list[Command] = field(default_factory=list)
    last: list[Command] = field(default_factory=list)

    def send(self, kind: EventKind, **data: Any) -> Dialogue:
        self.session, self.last = step(self.flow, self.session, Event(kind, data), FLOWS)
        self.commands += self.last
        return self

    def press(self, digits: str) -> Dialogue:
        return self.send(EventKind.DIGITS, digits=digits)

    def answer(self, status: str, **values: Any) -> Dialogue:
        return self.send(EventKind.LOOKUP_RESULT, status=status, values=values)

    def heard(self) -> str:
        """What the caller heard in reply to the last event."""
        return " ".join(
            render(FLOWS[c.data["flow"]], c.data["prompt"], c.data["language"], c.data["params"])
            for c in self.last
            if c.kind is CommandKind.SAY
        )

    def asked(self, kind: CommandKind) -> Mapping[str, Any]:
        """The data of the last command of `kind` in reply to the last event."""
        found = [c for c in self.last if c.kind is kind]
        assert found, f"no {kind} in {[c.kind for c in self.last]}"
        return found[-1].data

    def kinds(self) -> list[CommandKind]:
        return [c.kind for c in self.last if c.kind is not CommandKind.RECORD_STEP]


def call(flow: str = "95598", caller: str = "+8613800138000") -> Dialogue:
    """A new call into `flow`, already started."""
    dialogue = Dialogue(FLOWS[flow], Session(call_id="c1", flow=flow))
    return dialogue.send(EventKind.STARTED, caller=caller, called="+861095598", call_id="c1")


ZHANG = {
    "account_no": "3300000001",
    "customer_id": 1,
    "customer_name": "张伟",
    "important_grade": None,
    "account_manager_id": None,
    "vulnerable": False,
}
