"""The FastAGI server: Asterisk connects for each call (`AGI(agi://host:4573/ivr)`), and the
session runs the IVR engine on that channel.

The session reads the AGI environment, finds or starts the call record (by the channel's
Linkedid, so both legs of one call are one record), and runs the flow: each engine command
becomes AGI commands (prompts rendered by the TTS port and played with STREAM FILE, input
read with GET DATA, HANGUP, EXEC Dial for a transfer), each result an engine event; a caller
who asks for an agent waits in the session (`queue_wait`). A caller hanging up (`HANGUP`,
`511`, `result=-1` on input) ends the call, recorded as the caller's end; a connection lost
without a hang-up (reset, closed, stalled) ends it as a network end and takes it out of the
queue. Garbage or silence before the environment times the connection out; other sessions
go on. Issue 18: only peers of the allow-list, with the shared secret when one is set, get a
session (`agi_gate`); the others are closed unanswered, logged and counted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from callcenter.core.ending import EndedBy
from callcenter.core.phone import caller_number, mask
from callcenter.telephony.asterisk.agi import AgiProtocolError
from callcenter.telephony.asterisk.agi_gate import AgiGate, Refusal
from callcenter.telephony.asterisk.channel import (
    BEEP,
    AgiChannel,
    CallerHungUp,
    SessionLost,
    Speaker,
    read_env,
)
from callcenter.telephony.asterisk.fallback import AgiFallback
from callcenter.telephony.asterisk.queue_wait import AgentWait, CallOver, Waiter
from callcenter.telephony.asterisk.tts import Tts
from callcenter.telephony.ports import CallEnd, CallLog, CampaignCalls, Ivr, Queueing
from ivr_flows import commands as c
from ivr_flows.events import SILENCE, CallerInput, IvrEvent
from outbound.models import AttemptResult

log = logging.getLogger(__name__)
E = CallEventType
PROVIDER = "asterisk"
BACKLOG = 1024
ANSWERED_SCRIPT = "answered"  # agi://host:port/answered,<call>,<agent> from Dial's U()
CAMPAIGN_SCRIPT = "campaign"  # agi://host:port/campaign,<AMDSTATUS>,<AMDCAUSE>


@dataclass(frozen=True, slots=True)
class FastAgiSettings:
    """Time limits of a session."""

    env_timeout_seconds: float = 10.0
    command_timeout_seconds: float = 120.0  # a GET DATA waits for the caller


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
        campaign_calls: CampaignCalls | None = None,
        gate: AgiGate | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._gate = gate or AgiGate()  # issue 18: allow-list and shared secret
        self._refusals = Counter(
            "callcenter_fastagi_refused",
            "FastAGI sessions refused, by reason (address not allowed, no or a wrong secret).",
            ["reason"],
            registry=registry or CollectorRegistry(),
        )
        self._campaign_calls = campaign_calls
        self._calls = calls
        self._ivr = ivr
        self._ending = ending
        self._speaker = Speaker(tts, lambda name: self._ivr.flow(name))
        self._settings = settings or FastAgiSettings()
        self._queueing = queueing
        self._wait = (
            AgentWait(queueing, self._speaker, offer_seconds) if queueing is not None else None
        )
        self._server: asyncio.Server | None = None
        self.fallback = AgiFallback(self._speaker)  # issue 17: a failed session falls back
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
        """One AGI session, from the environment to the hang-up. A peer not allowed is closed
        at once, a session without the secret once its environment is read (issue 18):
        nothing is sent, so the dialplan goes on after AGI() to its fallback."""
        peer = writer.get_extra_info("peername")
        host = str(peer[0]) if isinstance(peer, tuple) else ""
        if not self._gate.admits(host):
            self._refuse(host, Refusal.ADDRESS)
            writer.close()
            return
        self.active += 1
        channel: AgiChannel | None = None
        try:
            env = await asyncio.wait_for(read_env(reader), self._settings.env_timeout_seconds)
            env, refusal = self._gate.opened(env)
            if refusal is not None:
                self._refuse(host, refusal)
                return
            channel = AgiChannel(reader, writer, self._settings.command_timeout_seconds)
            await self._dispatch(env, channel, reader)
        except (TimeoutError, AgiProtocolError, UnicodeDecodeError) as err:
            log.warning("FastAGI %s: closed: %s", peer, err or "timed out")
        except (ConnectionError, CallerHungUp):
            pass
        except Exception as err:
            log.exception("FastAGI %s: session failed", peer)
            await self.fallback.answer(channel, err)  # issue 17: apology, CC_FALLBACK=1
        finally:
            self.active -= 1
            writer.close()

    async def _dispatch(
        self, env: Mapping[str, str], channel: AgiChannel, reader: asyncio.StreamReader
    ) -> None:
        script = env.get("network_script")
        if script == ANSWERED_SCRIPT:
            await self._answered(env)
        elif script == CAMPAIGN_SCRIPT:
            await self._campaign(env, channel)
        else:  # issue 17: a store's connection error falls back too
            await self.fallback.guard(self._serve(env, channel), channel, reader)

    def _refuse(self, host: str, refusal: Refusal) -> None:
        log.warning("FastAGI %s: session refused (%s)", host or "unknown peer", refusal)
        self._refusals.labels(refusal.value).inc()

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

        async def first() -> c.IvrReply:
            await channel.run("SET VARIABLE", "CC_CALL_ID", call.id)  # for dialplan and CDRs
            return await self._ivr.start(call.id, variables)

        await self._ending.ended(call.id, await self._converse(channel, call, first()))

    async def _converse(
        self, channel: AgiChannel, call: CallRecord, first: Awaitable[c.IvrReply | None]
    ) -> str:
        """Run the flow from its first reply to its end; who or what ended the call."""
        try:
            reply = await first
            event: IvrEvent | CallOver | None = None
            while reply is not None and not reply.over:
                event = await self._perform(channel, call, reply)
                if event is None or isinstance(event, CallOver):
                    break
                reply = await self._ivr.handle(call.id, event)
            if not channel.hung_up:
                await channel.run("HANGUP")
            return event.reason if isinstance(event, CallOver) else EndedBy.IVR_ENDED
        except CallerHungUp:
            return EndedBy.CALLER
        except (ConnectionError, TimeoutError, AgiProtocolError) as err:
            if channel.connected and not isinstance(err, (SessionLost, AgiProtocolError)):
                raise  # Asterisk is still there: a store failed (the fallback takes the call)
            log.warning(
                "FastAGI session of call %s lost (%s): the call is ended",
                call.id,
                err or type(err).__name__,
            )
            return EndedBy.NETWORK

    async def _campaign(self, env: Mapping[str, str], channel: AgiChannel) -> None:
        """A campaign call answered (`campaign-answered` in the dialplan): its message flow
        with the AMD verdict of the arguments, then the attempt's result."""
        if self._campaign_calls is None:
            raise AgiProtocolError("campaign: this server places no campaign calls")
        key = (await channel.run("GET VARIABLE", "CC_ATTEMPT")).data or ""
        provider_id = env.get("uniqueid", "")
        verdict = env.get("arg_1", "")
        reply = await self._campaign_calls.answered(key, PROVIDER, provider_id, verdict)
        ref = ProviderRef(PROVIDER, provider_id)
        call = await self._calls.find_by_provider(ref) if reply is not None else None
        if reply is None or call is None:
            log.warning("campaign call %s: no attempt %r", provider_id, key)
            await channel.run("HANGUP")
            return
        await self._converse(channel, call, _ready(reply))
        await self._campaign_calls.ended(key, provider_id, AttemptResult.ANSWERED)

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
    ) -> IvrEvent | CallOver | None:
        """Carry out one reply's commands; the event for the engine, None when the flow is
        over (hang-up, transfer done)."""
        prompts: list[str] = []
        for cmd in reply.commands:
            if isinstance(cmd, c.Say):
                prompts.append(await self._speaker.prompt(cmd))
            elif isinstance(cmd, c.Tone):
                prompts.append(BEEP)
            elif isinstance(cmd, c.Gather):
                return await self._gather(channel, prompts, cmd)
            else:
                await channel.play(prompts)
                prompts = []
                if isinstance(cmd, c.Play):
                    log.info("PLAY %s is not available on Asterisk: skipped", cmd.url)
                elif isinstance(cmd, c.Transfer):
                    await channel.run("EXEC", "Dial", cmd.target)
                    return None
                elif isinstance(cmd, c.Hangup):
                    return None
                elif isinstance(cmd, c.Enqueue):
                    return await self._wait_for_agent(channel, call, reply.language)
        await channel.play(prompts)
        return None

    async def _gather(self, channel: AgiChannel, prompts: list[str], command: c.Gather) -> IvrEvent:
        if command.mode is not c.InputMode.DTMF:
            await channel.play(prompts)
            log.info("speech input is not available on Asterisk: taken as no input")
            return SILENCE
        last = prompts.pop() if prompts else ""
        first = await channel.play(prompts)
        max_digits = command.max_digits
        if first and (len(first) >= max_digits or first == "#"):
            digits = first.rstrip("#")
        else:
            more = await channel.key(last, command.timeout * 1000, max_digits - len(first))
            digits = first + more
        return CallerInput(digits) if digits else SILENCE

    async def _wait_for_agent(
        self, channel: AgiChannel, call: CallRecord, language: str
    ) -> IvrEvent | CallOver | None:
        if self._wait is None:
            log.warning("no routing on this server: call %s cannot wait for an agent", call.id)
            return None
        return await self._wait.run(Waiter(channel, call.id, call.from_number, language))


async def _ready(reply: c.IvrReply) -> c.IvrReply:
    return reply


def _called(env: Mapping[str, str]) -> str:
    dnid = env.get("dnid", "")
    return dnid if dnid and dnid != "unknown" else env.get("extension", "")
