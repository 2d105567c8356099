"""`callcenter ivr simulate`: the real engine and services, a console instead of a phone."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence

from callcenter.callflow.ivr import IvrServicesAdapter
from callcenter.calls.models import CallEventType, Direction, ProviderRef
from callcenter.calls.service import CallService
from callcenter.config import Settings
from callcenter.core.clock import SystemClock
from callcenter.core.ids import new_id
from callcenter.core.phone import normalise_phone
from callcenter.customers.service import ProfileService
from callcenter.storage import db, migrate
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.tickets.service import TicketService
from ivr_flows import commands as c
from ivr_flows.events import SILENCE, CallerInput
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.models import Flow, Session
from ivr_flows.prompts import render
from ivr_flows.service import IvrService

HOTLINE = "+861095598"


class MemorySessions:
    """A session store for one console call."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[Session, list[c.CallerCommand]]] = {}

    async def load(self, call_id: str) -> tuple[Session, list[c.CallerCommand]] | None:
        return self._items.get(call_id)

    async def save(self, session: Session, reply: Sequence[c.CallerCommand]) -> None:
        self._items[session.call_id] = (session, list(reply))

    @contextlib.asynccontextmanager
    async def lock(self, call_id: str) -> AsyncIterator[None]:
        yield  # one console, one request at a time


def parse_presses(text: str) -> Iterator[CallerInput]:
    """`1 2# - say:家里没电` -> keys 1, keys 2, silence, speech."""
    for token in text.split():
        if token in ("-", "."):
            yield SILENCE
        elif token.startswith("say:"):
            yield CallerInput(speech=token[4:])
        else:
            yield CallerInput(token.removesuffix("#"))


def describe(flows: Mapping[str, Flow], commands: Sequence[c.CallerCommand]) -> str:
    """Commands as console lines: what the caller hears, what the system waits for."""
    out = []
    for cmd in commands:
        if isinstance(cmd, c.Say):
            out.append("  ◀ " + render(flows[cmd.flow], cmd.prompt, cmd.language, cmd.params))
        elif isinstance(cmd, c.Tone):
            out.append("  ◀ (beep)")
        elif isinstance(cmd, c.Gather) and cmd.mode is c.InputMode.SPEECH:
            out.append(f"  … waiting for speech ({cmd.language}, {cmd.timeout} s)")
        elif isinstance(cmd, c.Gather):
            finish = f", end with {cmd.finish_on_key}" if cmd.finish_on_key else ""
            out.append(
                f"  … waiting for {cmd.min_digits}-{cmd.max_digits} key(s){finish}, {cmd.timeout} s"
            )
        elif isinstance(cmd, c.Enqueue):
            out.append(
                f"  ⇒ queue {cmd.queue} (priority {cmd.priority}, skills "
                f"{', '.join(cmd.skills) or '-'}, preferred agent "
                f"{cmd.preferred_agent or '-'})"
            )
        elif isinstance(cmd, c.Transfer):
            out.append(f"  ⇒ transfer to {cmd.target}")
        elif isinstance(cmd, c.Hangup):
            out.append("  ⇒ hang-up")
    return "\n".join(out)


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
        pack = settings.policy.in_force(clock.now().date())
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
        say(describe(flows, (await ivr.start(call.id, variables)).commands))
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
            say(describe(flows, (await ivr.handle(call.id, event)).commands))
        await calls.record(call.id, CallEventType.HUNG_UP, {"reason": "simulator"})
        say(f"record: callcenter API GET /api/calls/{call.id}")
        return 0
    finally:
        await engine.dispose()


def next_event(
    events: Iterator[CallerInput] | None, ask: Callable[[], str | None]
) -> CallerInput | None:
    """The next scripted input, or what is typed (`ask`); None when there is no more."""
    if events is not None:
        return next(events, None)
    text = ask()
    if text is None:
        return None
    return next(parse_presses(text or "-"), SILENCE)


def shown(event: CallerInput) -> str:
    """How the dialogue shows what the caller did."""
    if event.digits:
        return f"keys {event.digits}"
    if event.speech:
        return f"says “{event.speech}”"
    return "(silence)"
