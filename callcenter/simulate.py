"""`callcenter ivr simulate`: the real engine and services, a console instead of a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from callcenter.calls.models import CallEventType, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.config import Settings
from callcenter.core.clock import SystemClock
from callcenter.core.ids import new_id
from callcenter.core.phone import normalise_phone
from callcenter.core.policy import pack_in_force
from callcenter.customers.service import ProfileService
from callcenter.ivr_services import IvrServicesAdapter
from callcenter.storage import db, migrate
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.tickets.service import TicketService
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.models import Command, CommandKind, Event, EventKind, Session
from ivr_flows.prompts import render
from ivr_flows.service import IvrService

C = CommandKind
HOTLINE = "+861095598"


class MemorySessions:
    """A session store for one console call."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[Session, str]] = {}

    async def load(self, call_id: str) -> tuple[Session, str] | None:
        return self._items.get(call_id)

    async def save(self, session: Session, reply: str) -> None:
        self._items[session.call_id] = (session, reply)

    async def delete(self, call_id: str) -> None:
        self._items.pop(call_id, None)


def parse_presses(text: str) -> Iterator[Event]:
    """`1 2# - say:家里没电` -> digits 1, digits 2, no input, speech."""
    for token in text.split():
        if token in ("-", "."):
            yield Event(EventKind.NO_INPUT)
        elif token.startswith("say:"):
            yield Event(EventKind.SPEECH, {"text": token[4:]})
        else:
            yield Event(EventKind.DIGITS, {"digits": token.removesuffix("#")})


def describe(flows: Mapping[str, Any]) -> Callable[[Session, list[Command]], str]:
    """Render commands as console lines: what the caller hears, what the system waits for."""

    def lines(session: Session, commands: list[Command]) -> str:
        out = []
        for command in commands:
            data = command.data
            if command.kind is C.SAY:
                flow = flows[data["flow"]]
                out.append("  ◀ " + render(flow, data["prompt"], data["language"], data["params"]))
            elif command.kind is C.GATHER and data["input"] == "speech":
                out.append(f"  … waiting for speech ({data['language']}, {data['timeout']} s)")
            elif command.kind is C.GATHER:
                finish = f", end with {data['finish_on_key']}" if data["finish_on_key"] else ""
                out.append(
                    f"  … waiting for {data['min_digits']}-{data['max_digits']} "
                    f"key(s){finish}, {data['timeout']} s"
                )
            elif command.kind is C.ENQUEUE:
                out.append(
                    f"  ⇒ queue {data['queue']} (priority {data['priority']}, skills "
                    f"{', '.join(data['skills']) or '-'}, preferred agent "
                    f"{data['preferred_agent'] or '-'})"
                )
            elif command.kind is C.TRANSFER:
                out.append(f"  ⇒ transfer to {data['target']}")
            elif command.kind is C.HANGUP:
                out.append("  ⇒ hang-up")
        return "\n".join(out)

    return lines


async def simulate(
    settings: Settings,
    caller: str,
    presses: str | None,
    language: str | None,
    ask: Callable[[], str | None],
    say: Callable[[str], None],
) -> int:
    """Run one console call; `ask` reads the next keys when `presses` is None."""
    number = normalise_phone(caller)
    engine = db.create_engine(settings.database_url)
    try:
        await db.ping(engine)
        await migrate.upgrade(engine)
        clock = SystemClock()
        calls = CallService(SqlCallRepository(engine), clock)
        pack = pack_in_force(settings.policy.pack, clock.now().date())
        profiles = ProfileService(
            SqlCustomerDirectory(engine), clock, pack, settings.server.timezone
        )
        tickets = TicketService(SqlTicketRepository(engine), clock)
        flows = load_flows(default_flow_files(settings.ivr.flows_dir))
        services = IvrServicesAdapter(profiles, tickets, calls, settings.server.timezone)
        sessions = MemorySessions()
        ivr = IvrService(flows, settings.twilio.entry_flow, sessions, services)
        ref = ProviderRef("simulator", new_id(clock.now()))
        call = await calls.start(Direction.INBOUND, number, HOTLINE, ref)
        await calls.record(call.id, CallEventType.IVR_ENTERED)
        say(f"call {call.id} from {number}")
        variables = {"caller": number, "called": HOTLINE, "call_id": call.id}
        if language:
            variables["lang"] = language
        lines = describe(flows)
        say(await ivr.start(call.id, variables, lines))
        events = iter(parse_presses(presses)) if presses is not None else None
        while True:
            stored = await sessions.load(call.id)
            if stored is None or stored[0].finished or stored[0].node is None:
                break
            if stored[0].flow and flows[stored[0].flow].nodes[stored[0].node].kind == "enqueue":
                break
            event = next_event(events, ask)
            if event is None:
                break
            say(f"  ▶ {shown(event)}")
            say(await ivr.handle(call.id, event, None, lines))
        await calls.record(call.id, CallEventType.HUNG_UP, {"reason": "simulator"})
        say(f"record: callcenter API GET /api/calls/{call.id}")
        return 0
    finally:
        await engine.dispose()


def next_event(events: Iterator[Event] | None, ask: Callable[[], str | None]) -> Event | None:
    """The next scripted event, or what is typed (`ask`); None when there is no more."""
    if events is not None:
        return next(events, None)
    text = ask()
    if text is None:
        return None
    return next(parse_presses(text or "-"), Event(EventKind.NO_INPUT))


def shown(event: Event) -> str:
    """How the dialogue shows what the caller did."""
    if event.kind is EventKind.DIGITS:
        return f"keys {event.data['digits']}"
    if event.kind is EventKind.SPEECH:
        return f"says “{event.data['text']}”"
    return "(silence)"
