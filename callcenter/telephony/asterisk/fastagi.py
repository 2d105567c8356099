"""The FastAGI server: Asterisk connects for each call (`AGI(agi://host:4573/ivr)`), and the
session runs the IVR engine on that channel.

The session reads the AGI environment, finds or starts the call record (by the channel's
Linkedid, so both legs of one call are one record), and runs the flow: each engine command
becomes AGI commands (prompts rendered by the TTS port and played with STREAM FILE, input
read with GET DATA, HANGUP, EXEC Dial for a transfer), each result an engine event. A caller
hanging up (`HANGUP`, `511`, `result=-1`) ends the session cleanly and is recorded. Garbage
or silence from the other end times the session out and closes it; other sessions go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from agents.ports import AgentInfo
from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from callcenter.core.phone import caller_number, mask
from callcenter.core.tasks import cancel_requested
from callcenter.telephony import announce
from callcenter.telephony.asterisk.agi import (
    MAX_ENV_LINES,
    MAX_LINE,
    AgiProtocolError,
    AgiResult,
    command,
    parse_env,
    parse_result,
)
from callcenter.telephony.asterisk.bridge import dial_args, dial_target
from callcenter.telephony.asterisk.tts import Tts, TtsError
from callcenter.telephony.ports import CallEnd, CallLog, Ivr, Queueing
from ivr_flows import commands as c
from ivr_flows.events import SILENCE, CallerInput, IvrEvent, QueueLeft
from ivr_flows.prompts import render as render_prompt

log = logging.getLogger(__name__)
E = CallEventType
PROVIDER = "asterisk"
ESCAPE_DIGITS = "0123456789*#"
BACKLOG = 1024
ANSWERED_SCRIPT = "answered"  # agi://host:port/answered,<call>,<agent> from Dial's U()
OFFER_POLL_SECONDS = 0.5
CALLBACK_KEY_MS = 5000
BEEP = "beep"  # one of Asterisk's core sounds


class CallerHungUp(Exception):
    """The channel is gone."""


class SessionLost(ConnectionError):
    """The FastAGI connection closed without Asterisk saying the channel hung up."""


@dataclass(frozen=True, slots=True)
class FastAgiSettings:
    """Time limits of a session."""

    env_timeout_seconds: float = 10.0
    command_timeout_seconds: float = 120.0  # a GET DATA waits for the caller


class AgiChannel:
    """Commands to one channel and their results, over the FastAGI connection."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._timeout = timeout
        self.hung_up = False

    async def read_line(self) -> str:
        line = await self._reader.readline()
        if not line:
            if self.hung_up:
                raise CallerHungUp("connection closed")
            raise SessionLost("connection closed without a hang-up")
        if len(line) > MAX_LINE:
            raise AgiProtocolError("line too long")
        return line.decode("utf-8", "replace").rstrip("\r\n")

    async def run(self, verb: str, *args: str | int) -> AgiResult:
        """Send one command and read its result (a `HANGUP` note on the way is remembered)."""
        if self.hung_up and verb not in ("SET VARIABLE", "VERBOSE"):
            raise CallerHungUp("hung up")
        self._writer.write(command(verb, *args))
        await self._writer.drain()
        while True:
            line = await asyncio.wait_for(self.read_line(), self._timeout)
            if line == "HANGUP":
                self.hung_up = True
                continue
            if line.startswith("520-"):
                continue  # usage text, up to the "520 " line
            result = parse_result(line)
            if result.code == 511:
                self.hung_up = True
                raise CallerHungUp(result.text)
            if result.code != 200:
                raise AgiProtocolError(f"{verb}: {line}")
            return result


class FastAgiServer:
    """Serves FastAGI connections: each one a call in the IVR."""

    def __init__(
        self,
        calls: CallLog,
        ivr: Ivr,
        ending: CallEnd,
        tts: Tts,
        settings: FastAgiSettings | None = None,
        *,
        queueing: Queueing | None = None,
        offer_seconds: int = 20,
    ) -> None:
        self._calls = calls
        self._ivr = ivr
        self._ending = ending
        self._tts = tts
        self._settings = settings or FastAgiSettings()
        self._queueing = queueing
        self._offer_seconds = offer_seconds
        self._server: asyncio.Server | None = None
        self.active = 0
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the port (useful with port 0)."""
        self._server = await asyncio.start_server(self.handle, host, port, backlog=BACKLOG)
        self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("FastAGI listening on %s:%d", host, self.port)
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One AGI session, from the environment to the hang-up."""
        peer = writer.get_extra_info("peername")
        self.active += 1
        try:
            env = await asyncio.wait_for(_read_env(reader), self._settings.env_timeout_seconds)
            channel = AgiChannel(reader, writer, self._settings.command_timeout_seconds)
            if env.get("network_script") == ANSWERED_SCRIPT:
                await self._answered(env)
            else:
                await self._serve(env, channel)
        except (TimeoutError, AgiProtocolError, UnicodeDecodeError) as err:
            log.warning("FastAGI %s: closed: %s", peer, err or "timed out")
        except (ConnectionError, CallerHungUp):
            pass
        except Exception:
            log.exception("FastAGI %s: session failed", peer)
        finally:
            self.active -= 1
            writer.close()

    async def _serve(self, env: Mapping[str, str], channel: AgiChannel) -> None:
        call = await self._call(env)
        variables = {
            "caller": call.from_number,
            "called": call.to_number,
            "call_id": call.id,
            "provider": PROVIDER,
            "provider_call": env.get("uniqueid", ""),
        }
        log.info(
            "call %s from %s entered the IVR (%s)",
            call.id,
            mask(call.from_number),
            env.get("channel"),
        )
        await self._calls.record(call.id, E.IVR_ENTERED)
        try:
            await channel.run("SET VARIABLE", "CC_CALL_ID", call.id)  # for dialplan and CDRs
            reply = await self._ivr.start(call.id, variables)
            while not reply.over:
                event = await self._perform(channel, call, reply)
                if event is None:
                    break
                reply = await self._ivr.handle(call.id, event)
            if not channel.hung_up:
                await channel.run("HANGUP")
            await self._ending.ended(call.id, "ivr-ended")
        except CallerHungUp:
            await self._ending.ended(call.id, "caller")
        except (ConnectionError, TimeoutError, AgiProtocolError) as err:
            log.warning(
                "FastAGI session of call %s lost (%s): the call is ended",
                call.id,
                err or type(err).__name__,
            )
            await self._ending.ended(call.id, "network")

    async def _answered(self, env: Mapping[str, str]) -> None:
        """The agent's device answered a Dial of ours (its `U()` subroutine): the offer is
        accepted while they talk."""
        call_id, agent = env.get("arg_1", ""), env.get("arg_2", "")
        if not call_id or not agent.isdigit() or self._queueing is None:
            raise AgiProtocolError(f"answered: bad arguments {call_id!r} {agent!r}")
        await self._queueing.device_answered(call_id, int(agent))

    async def _call(self, env: Mapping[str, str]) -> CallRecord:
        linked = env.get("linkedid") or env.get("uniqueid") or ""
        if not linked:
            raise AgiProtocolError("no agi_uniqueid in the environment")
        ref = ProviderRef(PROVIDER, linked)
        existing = await self._calls.find_by_provider(ref)
        if existing is not None:
            return existing
        return await self._calls.start(
            Direction.INBOUND,
            caller_number(env.get("callerid", "")),
            caller_number(_called(env)),
            ref,
        )

    async def _perform(
        self, channel: AgiChannel, call: CallRecord, reply: c.IvrReply
    ) -> IvrEvent | None:
        """Carry out one reply's commands; the event for the engine, None when the flow is
        over (hang-up, transfer done)."""
        prompts: list[str] = []
        for cmd in reply.commands:
            if isinstance(cmd, c.Say):
                prompts.append(await self._prompt(cmd))
            elif isinstance(cmd, c.Tone):
                prompts.append(BEEP)
            elif isinstance(cmd, c.Gather):
                return await self._gather(channel, prompts, cmd)
            else:
                await self._play(channel, prompts)
                prompts = []
                if isinstance(cmd, c.Play):
                    log.info("PLAY %s is not available on Asterisk: skipped", cmd.url)
                elif isinstance(cmd, c.Transfer):
                    await channel.run("EXEC", "Dial", cmd.target)
                    return None
                elif isinstance(cmd, c.Hangup):
                    return None
                elif isinstance(cmd, c.Enqueue):
                    return await self._wait_for_agent(channel, call.id, call.from_number, reply)
        await self._play(channel, prompts)
        return None

    async def _prompt(self, say: c.Say) -> str:
        flow = self._ivr.flow(say.flow)
        text = render_prompt(flow, say.prompt, say.language, say.params)
        return await self._speak(text, say.language)

    async def _play(self, channel: AgiChannel, prompts: list[str]) -> str:
        """Play prompts one after the other; a key pressed stops them (barge-in) and is
        returned."""
        for path in prompts:
            if not path:
                continue
            result = await channel.run("STREAM FILE", path, ESCAPE_DIGITS)
            if result.number == -1:
                await _playback_failed(channel, path)
            elif result.number:
                return chr(result.number)
        return ""

    async def _gather(self, channel: AgiChannel, prompts: list[str], command: c.Gather) -> IvrEvent:
        if command.mode is not c.InputMode.DTMF:
            await self._play(channel, prompts)
            log.info("speech input is not available on Asterisk: taken as no input")
            return SILENCE
        last = prompts.pop() if prompts else ""
        first = await self._play(channel, prompts)
        max_digits = command.max_digits
        if first and (len(first) >= max_digits or first == "#"):
            digits = first.rstrip("#")
        else:
            result = await channel.run(
                "GET DATA", last or "silence/1", command.timeout * 1000, max_digits - len(first)
            )
            if result.result == "-1":
                raise CallerHungUp("during input")
            digits = first + result.result
        return CallerInput(digits) if digits else SILENCE

    async def _wait_for_agent(
        self, channel: AgiChannel, call_id: str, caller: str, reply: c.IvrReply
    ) -> IvrEvent | None:
        """The caller hears position and estimated wait (and, over the queue's threshold or
        with nobody to answer, the offer of a callback that keeps the place: key 1), then
        waits with music on hold while routing decides; an offer rings the agent's device
        from here. Answered and over: the caller goes on through the flow (the survey). Not
        answered: back to the head of the queue, waiting again. The caller hanging up while
        waiting is an abandon (`CallerHungUp` reaches `_serve`)."""
        queueing = self._queueing
        if queueing is None:
            log.warning("no routing on this server: call %s cannot wait for an agent", call_id)
            return None
        language = reply.language
        info = await queueing.waiting_info(call_id)
        if info is not None:
            said = [await self._prompt(x) for x in announce.queue_announcement(info, language)]
            if info.offer_callback:
                offer = said.pop()
                await self._play(channel, said)
                key = await channel.run("GET DATA", offer or "silence/1", CALLBACK_KEY_MS, 1)
                if key.result == "-1":
                    raise CallerHungUp("during the callback offer")
                if key.result == "1":
                    await queueing.request_callback(call_id, caller)
                    kept = await self._prompt(announce.say("callback_kept", language))
                    await self._play(channel, [kept])
                    return None  # hung up by us; the place is kept (the end sees the callback)
            else:
                await self._play(channel, said)
        while True:
            await channel.run("SET MUSIC", "on", "default")
            agent = await self._offered(channel, queueing, call_id)
            await channel.run("SET MUSIC", "off")
            target = dial_target(agent)
            status = "CHANUNAVAIL"
            if target is not None:
                args = dial_args(target, self._offer_seconds, call_id, agent.agent_id)
                await channel.run("EXEC", "Dial", args)
                status = (await channel.run("GET VARIABLE", "DIALSTATUS")).data or "NOANSWER"
            if status == "ANSWER":
                await queueing.call_ended(call_id, "agent-hangup")
                return QueueLeft("bridged")
            await queueing.device_unanswered(call_id, agent.agent_id, status.lower())

    async def _offered(self, channel: AgiChannel, queueing: Queueing, call_id: str) -> AgentInfo:
        """Until the call is offered to an agent; listening for the caller's hang-up."""
        while not cancel_requested():
            agent = await queueing.offer_for(call_id)
            if agent is not None:
                return agent
            try:
                line = await asyncio.wait_for(channel.read_line(), OFFER_POLL_SECONDS)
            except TimeoutError:
                continue
            if line == "HANGUP":
                channel.hung_up = True
                raise CallerHungUp("while waiting for an agent")
        raise asyncio.CancelledError  # the server is stopping

    async def _speak(self, text: str, language: str = "zh-CN") -> str:
        """The sound file of a text ("" when it cannot be rendered: the caller hears
        nothing there rather than losing the call)."""
        try:
            return await self._tts.file_for(text, language)
        except TtsError as err:
            log.error("prompt %r not rendered: %s", text[:40], err)
            return ""


async def _playback_failed(channel: AgiChannel, path: str) -> None:
    """STREAM FILE answered `result=-1`: the caller hung up, or Asterisk could not play the
    file (missing, unreadable: `endpos=0`). A `HANGUP` already read, or the channel's status
    (`511` on a dead channel), tells which; a failed playback is logged and the call goes
    on (`CallerHungUp` otherwise)."""
    if not channel.hung_up:
        status = await channel.run("CHANNEL STATUS")  # 511 (dead channel) raises CallerHungUp
        if status.number is not None and status.number >= 0 and not channel.hung_up:
            log.warning(
                "Asterisk could not play %s.wav (missing or unreadable where Asterisk runs?); "
                "the call goes on without it",
                path,
            )
            return
    raise CallerHungUp("during a prompt")


async def _read_env(reader: asyncio.StreamReader) -> dict[str, str]:
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            raise AgiProtocolError("closed before the AGI environment ended")
        if len(raw) > MAX_LINE or len(lines) > MAX_ENV_LINES:
            raise AgiProtocolError("AGI environment too large")
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            return parse_env(lines)
        lines.append(line)


def _called(env: Mapping[str, str]) -> str:
    dnid = env.get("dnid", "")
    return dnid if dnid and dnid != "unknown" else env.get("extension", "")
