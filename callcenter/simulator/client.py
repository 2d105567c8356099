"""A simulated caller on a running server: its Twilio webhooks posted as Twilio would, the
TwiML answers played as a printed dialogue (◀ heard, … waited for, ▶ pressed, ☎ rung).

While the caller waits in a queue or rings an agent, the server's REST instructions (a
redirect to an agent's `<Dial>`, back to the queue, or the end of the call when the agent
hangs up on the desk) come from the call's mailbox (`GET /api/simulator/calls/{sid}/next`).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from callcenter.simulate import next_event, parse_presses, shown
from callcenter.simulator.transport import ServerLink
from callcenter.simulator.twiml import Verb, parse, spoken
from ivr_flows.events import CallerInput

HOTLINE = "+861095598"
ACCOUNT_SID = "AC" + hashlib.sha256(b"callcenter-simulator").hexdigest()[:32]  # the right shape
Say = Callable[[str], None]
Ask = Callable[[], str | None]


@dataclass(frozen=True, slots=True)
class CallOptions:
    """One simulated call: who calls, how long it waits before hanging up, the poll period."""

    caller: str
    called: str = HOTLINE
    hangup_after: float | None = None  # seconds of waiting (queue, ringing, talking)
    poll_seconds: int = 20


@dataclass(frozen=True, slots=True)
class Document:
    """A TwiML document and the URL it came from (relative URLs in it resolve against it)."""

    verbs: tuple[Verb, ...]
    url: str


END = Document((), "")  # the call is over


def _params_of(event: CallerInput) -> dict[str, str]:
    if event.digits:
        return {"Digits": event.digits}
    if event.speech:
        return {"SpeechResult": event.speech, "Confidence": "0.9"}
    return {}


def _gather_line(verb: Verb) -> str:
    timeout = verb.get("timeout", "5")
    if "speech" in verb.get("input", "dtmf"):
        return f"  … waiting for speech ({verb.get('language', '-')}, {timeout} s)"
    digits = verb.get("numDigits")
    keys = f"{digits} key(s)" if digits else "keys"
    finish = verb.get("finishOnKey", "#")
    end = f", end with {finish}" if finish and not digits else ""
    return f"  … waiting for {keys}{end}, {timeout} s"


class SimulatedCall:
    """Drives one call through the server's webhooks until it ends."""

    def __init__(
        self,
        link: ServerLink,
        options: CallOptions,
        presses: str | None,
        ask: Ask,
        say: Say,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._link = link
        self._options = options
        self._events: Iterator[CallerInput] | None = (
            None if presses is None else parse_presses(presses)
        )
        self._ask = ask
        self._say = say
        self._clock = clock
        self.sid = "CA" + secrets.token_hex(16)
        self._started = clock()
        self._waiting_since: float | None = None
        self._queue: tuple[Verb, str, float] | None = None  # the Enqueue, its URL, entry time
        self._dial: tuple[Verb, str, float] | None = None  # the Dial, its URL, start time
        self._heard: set[str] = set()  # what the queue's wait URL said already
        self._handlers: dict[str, Callable[[Verb, Document], Document | None]] = {
            "Say": self._hear,
            "Play": self._hear,
            "Pause": lambda verb, doc: None,
            "Gather": self._gather,
            "Redirect": self._redirect,
            "Enqueue": self._enqueue,
            "Dial": self._ring,
            "Hangup": self._server_hung_up,
            "Reject": self._server_hung_up,
        }

    # -- requests ---------------------------------------------------------------------------

    def _params(self, status: str = "in-progress") -> dict[str, str]:
        number, called = self._options.caller, self._options.called
        return {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": self.sid,
            "CallStatus": status,
            "Called": called,
            "Caller": number,
            "Direction": "inbound",
            "From": number,
            "To": called,
        }

    def _post(self, url: str, extra: dict[str, str] | None = None, status: str = "") -> Document:
        text = self._link.post(url, self._params(status or "in-progress") | (extra or {}))
        path = urllib.parse.urlsplit(url).path
        return Document(parse(text, f"POST {path}"), url)

    def _elapsed(self, since: float) -> str:
        return str(max(int(self._clock() - since), 0))

    def _completed(self) -> None:
        """The status callback of the call's end."""
        self._link.post(
            self._link.resolve("/twilio/status"),
            self._params("completed")
            | {
                "CallDuration": self._elapsed(self._started),
                "CallbackSource": "call-progress-events",
                "SequenceNumber": "0",
                "Timestamp": format_datetime(datetime.now(UTC)),
            },
        )

    def _hang_up(self, why: str) -> Document:
        """The caller hangs up: a queue reports it, then the status callback."""
        self._say(f"  ⇒ {why}: you hang up")
        self._leave_queue("hangup")
        self._completed()
        return END

    # -- the conversation --------------------------------------------------------------------

    def run(self) -> int:
        """Call, follow the TwiML until the call ends (Ctrl-C hangs up); the exit status."""
        self._say(f"call {self.sid} from {self._options.caller} to {self._link.base}")
        try:
            doc = self._post(self._link.resolve("/twilio/voice"), status="ringing")
            while doc is not END:
                doc = self._perform(doc)
        except KeyboardInterrupt:
            self._hang_up("interrupted")
        number = urllib.parse.quote(self._options.caller)
        self._say(f"record: GET /api/calls?include_simulated=true&number={number}")
        return 0

    def _perform(self, doc: Document) -> Document:
        for verb in doc.verbs:
            handler = self._handlers.get(verb.name)
            if handler is None:
                self._say(f"  ? <{verb.name}> is not simulated: skipped")
                continue
            following = handler(verb, doc)
            if following is not None:
                return following
        if self._queue is not None:  # the wait URL's TwiML ran out: Twilio asks again
            return self._wait()
        self._say("  ⇒ the TwiML ended: the call is over")
        self._completed()
        return END

    def _hear(self, verb: Verb, doc: Document) -> None:
        line = f"  ◀ {verb.text}" if verb.name == "Say" else f"  ♪ {verb.text or 'music'}"
        if self._queue is None or line not in self._heard:
            self._say(line)
        if self._queue is not None:
            self._heard.add(line)

    def _gather(self, verb: Verb, doc: Document) -> Document | None:
        for text in spoken(verb):
            self._hear(Verb("Say", text=text), doc)
        self._say(_gather_line(verb))
        event = self._next_keys()
        if event is None and self._queue is None:
            return self._hang_up("no more keys")
        params = _params_of(event) if event is not None else {}
        self._say(f"  ▶ {shown(event) if event is not None else '(silence)'}")
        if not params and verb.get("actionOnEmptyResult") != "true":
            return None  # Twilio goes on with the next verb
        return self._post(self._link.resolve(verb.get("action") or doc.url, doc.url), params)

    def _next_keys(self) -> CallerInput | None:
        return next_event(self._events, self._ask)

    def _redirect(self, verb: Verb, doc: Document) -> Document:
        return self._post(self._link.resolve(verb.text, doc.url))

    def _server_hung_up(self, verb: Verb, doc: Document) -> Document:
        if self._queue is not None:
            return self._hang_up("the server ended the call")
        self._say("  ⇒ the server hung up")
        self._completed()
        return END

    def _enqueue(self, verb: Verb, doc: Document) -> Document:
        self._say(f"  … waiting in queue {verb.text} for an agent")
        self._queue = (verb, doc.url, self._clock())
        self._heard.clear()
        return self._wait_url()

    def _wait_url(self) -> Document:
        assert self._queue is not None
        verb, url, entered = self._queue
        position = {
            "QueuePosition": "1",
            "QueueSid": "QU" + self.sid[2:],
            "QueueTime": self._elapsed(entered),
            "AvgQueueTime": "0",
            "CurrentQueueSize": "1",
            "MaxQueueSize": "1000",
        }
        return self._post(self._link.resolve(verb.get("waitUrl"), url), position)

    def _ring(self, verb: Verb, doc: Document) -> Document | None:
        targets = [child.text for child in verb.children if child.text] or [verb.text]
        if not verb.get("action"):
            self._say(f"  ☎ dialled {', '.join(targets)} (outside the simulator)")
            return None
        self._say(f"  ☎ ringing {', '.join(targets)} — answer on the desk")
        self._dial = (verb, doc.url, self._clock())
        return self._wait()

    # -- waiting for the server ---------------------------------------------------------------

    def _wait(self) -> Document:
        """Poll the mailbox; in a queue, ask the wait URL again when nothing came."""
        if self._waiting_since is None:
            self._waiting_since = self._clock()
        while True:
            wait = self._options.poll_seconds
            if self._options.hangup_after is not None:
                left = self._waiting_since + self._options.hangup_after - self._clock()
                if left <= 0:
                    return self._hang_up(f"waited {self._options.hangup_after:g} s")
                wait = min(wait, max(int(left), 1))
            instruction = self._link.next_instruction(self.sid, wait)
            if instruction is not None:
                return self._follow(instruction)
            if self._queue is not None:
                return self._wait_url()

    def _follow(self, instruction: dict[str, Any]) -> Document:
        twiml = instruction.get("twiml")
        if isinstance(twiml, str):
            self._leave_queue("redirected")
            self._dial = None
            return Document(parse(twiml, "the server's redirect"), self._link.base + "/")
        if self._dial is not None and self._dial[0].get("action"):
            verb, url, started = self._dial
            self._dial = None
            self._say("  ☎ the agent hung up")
            result = {
                "DialCallStatus": "completed",
                "DialCallSid": "CA" + secrets.token_hex(16),
                "DialCallDuration": self._elapsed(started),
                "DialBridged": "true",
            }
            return self._post(self._link.resolve(verb.get("action"), url), result)
        self._say("  ⇒ the server ended the call")
        self._queue = None
        self._completed()
        return END

    def _leave_queue(self, result: str) -> None:
        """Out of the queue: Twilio tells the Enqueue's action why (hangup, redirected)."""
        if self._queue is None:
            return
        verb, url, entered = self._queue
        self._queue = None
        if verb.get("action"):
            params = self._params() | {"QueueResult": result, "QueueTime": self._elapsed(entered)}
            self._link.post(self._link.resolve(verb.get("action"), url), params)
