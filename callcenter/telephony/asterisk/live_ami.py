"""The live-call actions where the AMI session is (the instance holding the `ami` lease):
each operation of `AsteriskLive` as AMI actions on the caller's and the agent's channels,
Asterisk's refusals translated into `LiveControlError` with stable codes.

What each operation sends (the replies are recorded in `ami-hold-and-redirect`,
`ami-mixmonitor` and `ami-chanspy-listen-whisper-barge`):
- started: the legs' channel names; `MixMonitor` of the caller's channel to the call's file
  with `i(CC_MIXMON_ID)` when recorded (its MixMonitorID is kept);
- hold/resume: `PlayDTMF` with `Receive: yes` of the `cchold` feature code (`*8`) / of `#`
  on the agent's channel (see `live.py` for why);
- consult: `Atxfer` of the agent's channel to `cc-consult`; cancel: `CancelAtxfer`;
  complete: `Hangup` of the agent's channel; conference: `PlayDTMF` `Receive` of `*3`;
- recording pause/resume: `MixMonitorMute` Direction both, State 1/0;
- monitor: `Originate` of the supervisor's phone into `ChanSpy` on the agent's channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from agents.live.models import MonitorMode
from agents.live.ports import LiveControlError
from callcenter.telephony.asterisk.ami import AmiConnectionLost, AmiError
from callcenter.telephony.asterisk.channels import originate_outcome
from callcenter.telephony.asterisk.codec import Message

if TYPE_CHECKING:
    from callcenter.telephony.asterisk.service import AsteriskAmi

log = logging.getLogger(__name__)
HOLD_CODE = "*8"  # features.conf [applicationmap] cchold
RESUME_DIGIT = "#"  # ends the cchold feature's Read() on the agent's channel
THREEWAY_CODE = "*3"  # features.conf atxferthreeway
CONFIRM_SECONDS = 3.0  # for the bridge's Hold/Unhold after the cchold feature's digits
CONSULT_CONTEXT = "cc-consult"
MIXMON_VARIABLE = "CC_MIXMON_ID"
MONITOR_OPTIONS = {  # ChanSpy: q quiet, w whisper, B barge; E/S: end with the spied channel
    MonitorMode.LISTEN: "qES",
    MonitorMode.WHISPER: "qwES",
    MonitorMode.BARGE: "qBES",
}
GONE = ("no such channel", "does not exist", "channel not found")
CODES = (
    (GONE, "channel-gone"),
    (("transfer invalid",), "transfer-invalid"),
    (("feature code found",), "feature-not-configured"),
)
Op = Callable[["AmiLive", Mapping[str, str]], Awaitable[dict[str, str]]]


def error_code(message: str) -> str:
    """The stable code of an AMI refusal."""
    lowered = message.lower()
    return next(
        (code for words, code in CODES if any(w in lowered for w in words)), "live-control-failed"
    )


class LegWatcher:
    """Reads every AMI event (an `AsteriskAmi` listener): which channel answered each
    caller's Dial, and, when a caller hangs up while held or while the agent consults,
    hangs up the agent's channel, which Asterisk would leave up: the `cchold` feature's
    `Read()` waits for its key, a consultation goes on without the caller."""

    def __init__(self) -> None:
        self.answered: dict[str, str] = {}  # caller's Uniqueid -> the agent's channel
        self.tied: dict[str, str] = {}  # caller's channel -> the agent's, to end with it
        self.hang_up: Callable[[str], Coroutine[Any, Any, None]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting: dict[tuple[str, str], list[asyncio.Future[None]]] = {}

    def __call__(self, event: Message) -> None:
        channel = event.get("Channel") or ""
        for waiter in self._waiting.pop((event.name, channel), []):
            if not waiter.done():
                waiter.set_result(None)
        if event.name == "DialEnd" and event.get("DialStatus") == "ANSWER":
            self.answered[event.get("Uniqueid") or ""] = event.get("DestChannel") or ""
        elif event.name == "Hangup":
            self.answered.pop(event.get("Uniqueid") or "", None)
            agent = self.tied.pop(channel, None)
            if agent and self.hang_up is not None:
                task = asyncio.get_running_loop().create_task(self.hang_up(agent))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    @contextlib.asynccontextmanager
    async def seeing(self, name: str, channel: str, seconds: float) -> AsyncIterator[None]:
        """Around an action: after it, until the event `name` on `channel` (`TimeoutError`
        after `seconds`); the waiting starts before the action, so a quick event counts."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault((name, channel), []).append(waiter)
        try:
            yield
            await asyncio.wait_for(waiter, seconds)
        finally:
            waiters = self._waiting.get((name, channel), [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._waiting.pop((name, channel), None)


class AmiLive:
    """The live-call operations on one AMI session; `perform(op, args)` gives the refs to
    keep (channel names, the MixMonitorID, a monitor's leg)."""

    def __init__(
        self, ami: AsteriskAmi, watcher: LegWatcher, confirm_seconds: float = CONFIRM_SECONDS
    ) -> None:
        self._ami = ami
        self._watcher = watcher
        self._confirm_seconds = confirm_seconds
        watcher.hang_up = self._hang_up_held
        self.answer: Callable[[str, Mapping[str, Any]], Awaitable[None]] | None = None

    @property
    def connected(self) -> bool:
        """The session is up here (logged in and resynced)."""
        return self._ami.connected

    async def perform(self, op: str, args: Mapping[str, str]) -> dict[str, str]:
        """Carry out one operation (`LiveControlError` when Asterisk refuses it)."""
        handler = OPS.get(op)
        if handler is None:
            raise LiveControlError(f"unknown live-call operation {op!r}")
        try:
            return await handler(self, args)
        except AmiConnectionLost as err:
            raise LiveControlError(str(err), code="live-control-unavailable") from err
        except AmiError as err:
            raise LiveControlError(str(err), code="live-control-failed") from err

    async def serve(self, message: Mapping[str, Any]) -> None:
        """A relayed operation (`AsteriskAmi.serve_relayed`): done, and answered to its
        `reply_to` (through `answer`, set by `AsteriskLive.attach`); never raises, so the
        relay goes on serving."""
        reply: dict[str, Any]
        try:
            args = {str(k): str(v) for k, v in dict(message.get("args") or {}).items()}
            reply = {"refs": await self.perform(str(message.get("op")), args)}
        except LiveControlError as err:
            reply = {"error": err.code, "message": err.message}
        except Exception:
            log.exception("relayed live-call operation %r failed", message.get("op"))
            reply = {"error": "live-control-failed", "message": "the operation failed"}
        reply_to = str(message.get("reply_to") or "")
        if reply_to and self.answer is not None:
            await self.answer(reply_to, reply)

    # --- the operations ------------------------------------------------------------------

    async def _started(self, args: Mapping[str, str]) -> dict[str, str]:
        channel = self._ami.tracker.by_uniqueid(args["caller_uniqueid"])
        if channel is None:
            raise LiveControlError("the caller's channel is gone", code="channel-gone")
        refs = {"caller": channel.name, "agent": self._peer(channel.uniqueid)}
        if args.get("file"):
            answer = await self._act(
                "MixMonitor",
                [("Channel", channel.name), ("File", args["file"]), ("Options", _mixmon_options())],
            )
            refs["mixmonitor"] = answer.get("MixMonitorID") or ""
        return refs

    async def _hold(self, args: Mapping[str, str]) -> dict[str, str]:
        caller, agent = self._caller(args), self._agent(args)
        await self._feature(agent, HOLD_CODE, "Hold")
        self._watcher.tied[caller] = agent
        return {"caller": caller, "agent": agent}

    async def _resume(self, args: Mapping[str, str]) -> dict[str, str]:
        caller, agent = self._caller(args), self._agent(args)
        await self._feature(agent, RESUME_DIGIT, "Unhold")
        self._watcher.tied.pop(caller, None)
        return {"caller": caller, "agent": agent}

    async def _consult(self, args: Mapping[str, str]) -> dict[str, str]:
        """Held by `cchold`: resumed first (the feature's Read() would take the digits the
        Atxfer queues); the attended transfer holds the caller itself."""
        caller, agent = self._caller(args), self._agent(args)
        if args.get("held"):
            await self._resume({**args, "agent": agent})
        # `#` ends the digits' collection at once (ast_app_dtget); `_X.` would wait for more
        exten = args["exten"] + "#"
        fields = [("Channel", agent), ("Exten", exten), ("Context", CONSULT_CONTEXT)]
        await self._act("Atxfer", fields)
        self._watcher.tied[caller] = agent
        return {"caller": caller, "agent": agent}

    async def _cancel(self, args: Mapping[str, str]) -> dict[str, str]:
        """Asterisk puts the agent back with the caller (Unhold)."""
        await self._act("CancelAtxfer", [("Channel", self._agent(args))])
        self._watcher.tied.pop(self._caller(args), None)
        return {}

    async def _complete(self, args: Mapping[str, str]) -> dict[str, str]:
        """The transferer hangs up: Asterisk joins the caller and the consulted agent."""
        await self._act("Hangup", [("Channel", self._agent(args)), ("Cause", "16")])
        self._watcher.tied.pop(self._caller(args), None)
        return {"agent": ""}  # the new agent's channel: the caller's bridge peer, found later

    async def _conference(self, args: Mapping[str, str]) -> dict[str, str]:
        await self._dtmf(self._agent(args), THREEWAY_CODE)
        self._watcher.tied.pop(self._caller(args), None)
        return {}

    async def _mute(self, args: Mapping[str, str]) -> dict[str, str]:
        fields = [("Channel", self._caller(args)), ("Direction", "both"), ("State", args["state"])]
        if args.get("mixmonitor"):
            fields.append(("MixMonitorID", args["mixmonitor"]))
        await self._act("MixMonitorMute", fields)
        return {}

    async def _monitor(self, args: Mapping[str, str]) -> dict[str, str]:
        agent = self._agent(args)
        leg = f"cc-monitor-{secrets.token_hex(6)}"
        fields = [
            ("Channel", args["device"]),
            ("Application", "ChanSpy"),
            ("Data", f"{agent},{MONITOR_OPTIONS[MonitorMode(args['mode'])]}"),
            ("Timeout", "30000"),
            ("Async", "true"),
            ("ChannelId", leg),
        ]
        answer, outcome = await self._ami.client.action_with_event(
            "Originate", fields, "OriginateResponse"
        )
        if answer.name != "Success":
            message = answer.get("Message") or answer.name
            raise LiveControlError(f"Originate: {message}", code=error_code(message))
        outcome.add_done_callback(lambda done: _log_monitor(leg, done))
        return {"agent": agent, "leg": leg}

    # --- helpers -------------------------------------------------------------------------

    def _caller(self, args: Mapping[str, str]) -> str:
        """The caller's channel: as noted, else found by its Uniqueid."""
        caller = args.get("caller") or ""
        if not caller:
            channel = self._ami.tracker.by_uniqueid(args.get("caller_uniqueid", ""))
            caller = channel.name if channel is not None else ""
        if not caller:
            raise LiveControlError("the caller's channel is gone", code="channel-gone")
        return caller

    def _agent(self, args: Mapping[str, str]) -> str:
        """The agent's channel: as noted, else the caller's Dial's answer or bridge peer."""
        agent = args.get("agent") or self._peer(args.get("caller_uniqueid", ""))
        if not agent:
            raise LiveControlError("the agent's channel is not known", code="channel-gone")
        return agent

    def _peer(self, caller_uniqueid: str) -> str:
        tracker = self._ami.tracker
        caller = tracker.by_uniqueid(caller_uniqueid)
        if caller is None:
            return ""
        answered = self._watcher.answered.get(caller_uniqueid, "")
        if answered and caller.bridge is None:
            return answered
        peers = [
            c.name
            for c in tracker.channels.values()
            if caller.bridge and c.bridge == caller.bridge and c.uniqueid != caller.uniqueid
        ]
        return peers[0] if len(peers) == 1 else answered

    async def _dtmf(self, channel: str, digits: str) -> None:
        """Digits as if the channel's phone pressed them (`Receive`: into the bridge's
        feature detection, as the Atxfer action queues its own)."""
        for digit in digits:
            await self._act(
                "PlayDTMF", [("Channel", channel), ("Digit", digit), ("Receive", "yes")]
            )

    async def _feature(self, agent: str, digits: str, event: str) -> None:
        """The `cchold` feature's digits, confirmed by the bridge's Hold/Unhold event on the
        agent's channel (`feature-not-configured` when it does not come: features.conf or
        DYNAMIC_FEATURES is missing, and the digits went to the caller as tones)."""
        try:
            async with self._watcher.seeing(event, agent, self._confirm_seconds):
                await self._dtmf(agent, digits)
        except TimeoutError as err:
            raise LiveControlError(
                f"no {event} of {agent} after the cchold feature's {digits}: is cchold in "
                "features.conf and in the agent channel's DYNAMIC_FEATURES?",
                code="feature-not-configured",
            ) from err

    async def _act(self, action: str, fields: list[tuple[str, str]]) -> Message:
        answer = await self._ami.client.action(action, fields)
        if answer.name != "Success":
            message = (answer.get("Message") or answer.name).strip()
            raise LiveControlError(f"{action}: {message}", code=error_code(message))
        return answer

    async def _hang_up_held(self, agent: str) -> None:
        try:
            await self._ami.hangup(agent)
        except AmiError as err:
            log.info("the held agent leg %s was already gone: %s", agent, err)


def _mixmon_options() -> str:
    return f"i({MIXMON_VARIABLE})"


def _log_monitor(leg: str, done: asyncio.Future[Message]) -> None:
    if done.cancelled() or done.exception() is not None:
        return
    outcome = originate_outcome(done.result())
    if outcome != "answered":
        log.warning("supervisor leg %s not answered: %s", leg, outcome)


OPS: dict[str, Op] = {
    "started": AmiLive._started,
    "hold": AmiLive._hold,
    "resume": AmiLive._resume,
    "consult": AmiLive._consult,
    "cancel_consult": AmiLive._cancel,
    "complete_consult": AmiLive._complete,
    "conference": AmiLive._conference,
    "mute": AmiLive._mute,
    "monitor": AmiLive._monitor,
}
