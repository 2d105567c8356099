"""Offers on Twilio: the waiting caller is redirected (REST) to dial the agent's device.

The redirect carries the TwiML inline: `<Dial>` the agent's Twilio Client identity, SIP
address or phone number, ringing for the offer time. The agent leg's `answered` status
callback accepts the offer; the Dial's action reports the end (`/twilio/dial-result`): not
answered puts the call back at the head of its queue, answered and over sends the agent to
wrap-up and the caller on through the flow (the survey). A callback (the caller hung up and
kept the place) is dialled by `callcenter.campaigns.callbacks` once its agent is reserved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from twilio.twiml.voice_response import Dial, VoiceResponse

from agents.live.models import LiveState
from agents.live.ports import LiveStates
from agents.models import RoutedCall
from agents.ports import AgentInfo
from callcenter.telephony import announce
from callcenter.telephony.twilio import twiml as t
from callcenter.telephony.twilio.conference import (
    AGENT_JOIN,
    CONFERENCE,
    RECORDING,
    CallerRoom,
    ask_on_answer,
    caller_joins,
)

log = logging.getLogger(__name__)
PROVIDER = "twilio"
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
AGENT_LEG = "agent_leg"  # live-state refs: the agent's placed leg, the caller's call
CALLER = "caller"


class TwilioRest(Protocol):
    """The few Twilio REST calls the bridge makes (a fake stands in for it in tests)."""

    async def update_call(
        self, sid: str, *, twiml: str | None = None, status: str | None = None
    ) -> None:
        """Redirect a live call to new TwiML, or end it (`status="completed"`)."""

    async def create_call(
        self, to: str, from_: str, twiml: str, leg: LegOptions | None = None
    ) -> str:
        """Place a call; its CallSid."""

    async def call_status(self, sid: str) -> str | None:
        """The call's status (queued, ringing, in-progress, completed, …)."""

    async def update_participant(
        self, conference_sid: str, call_sid: str, changes: Mapping[str, object]
    ) -> None:
        """Change a conference participant (hold, hold_url, end_conference_on_exit, …)."""

    async def update_recording(self, conference_sid: str, recording_sid: str, status: str) -> None:
        """Pause (`paused`, silence kept) or resume (`in-progress`) a conference recording."""


@dataclass(frozen=True, slots=True)
class LegOptions:
    """A placed leg's ring time and where its status goes (answered, completed)."""

    status_callback: str
    timeout: int | None = None
    events: tuple[str, ...] = ("answered", "completed")


class TwilioRestClient:
    """`TwilioRest` on the `twilio` library's asyncio client. Open it inside the running
    loop (the app's cleanup context) and close it there."""

    def __init__(
        self, account_sid: str, auth_token: str, api_base_url: str = "https://api.twilio.com"
    ) -> None:
        self._sid = account_sid
        self._token = auth_token
        self._api_base_url = api_base_url.rstrip("/")  # `[twilio] api_base_url`
        self._client: Any = None
        self._http: Any = None

    async def open(self) -> None:
        """Create the HTTP session (needs a running loop) and the client pointed at the
        configured API address; `twilio.rest` is imported here because it is slow to import
        and most processes never need it."""
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        self._http = AsyncTwilioHttpClient(timeout=10)
        client = Client(self._sid, self._token, http_client=self._http)
        client.edge = client.region = None  # the address is `api_base_url`, as for campaigns
        client.api.base_url = self._api_base_url
        self._client = client

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()

    async def update_call(
        self, sid: str, *, twiml: str | None = None, status: str | None = None
    ) -> None:
        params: dict[str, str] = {}
        if twiml is not None:
            params["twiml"] = twiml
        if status is not None:
            params["status"] = status
        await self._client.calls(sid).update_async(**params)

    async def create_call(
        self, to: str, from_: str, twiml: str, leg: LegOptions | None = None
    ) -> str:
        params: dict[str, Any] = {"to": to, "from_": from_, "twiml": twiml}
        if leg is not None:
            params |= {
                "status_callback": leg.status_callback,
                "status_callback_event": list(leg.events),
                "status_callback_method": "POST",
            }
            if leg.timeout is not None:
                params["timeout"] = leg.timeout
        call = await self._client.calls.create_async(**params)
        return str(call.sid)

    async def update_participant(
        self, conference_sid: str, call_sid: str, changes: Mapping[str, object]
    ) -> None:
        participant = self._client.conferences(conference_sid).participants(call_sid)
        await participant.update_async(**changes)

    async def update_recording(self, conference_sid: str, recording_sid: str, status: str) -> None:
        recording = self._client.conferences(conference_sid).recordings(recording_sid)
        await recording.update_async(status=status, pause_behavior="silence")

    async def call_status(self, sid: str) -> str | None:
        call = await self._client.calls(sid).fetch_async()
        return str(call.status) if call.status is not None else None


def device_address(agent: AgentInfo) -> str:
    """Where a call to the agent's device goes: `client:identity`, `sip:…` or a number."""
    address = agent.device_address.strip()
    if agent.device_kind == "phone":
        return address
    if agent.device_kind == "sip":
        return address if address.startswith("sip:") else f"sip:{address}"
    return address if address.startswith("client:") else f"client:{address}"


def caller_id(call: RoutedCall, agent: AgentInfo) -> str:
    """The From of a leg placed to an agent: the caller's number for a Twilio Client (the
    softphone shows who calls), else the hotline number (a number of ours)."""
    line = call.line
    if agent.device_kind in ("phone", "sip"):
        return line.called or line.caller
    return line.caller or line.called


async def end_leg(rest: TwilioRest, sid: str) -> None:
    """Stop a placed leg, ringing (canceled) or answered (completed)."""
    try:
        await rest.update_call(sid, status="canceled")
    except Exception:  # answered already: hang it up instead
        try:
            await rest.update_call(sid, status="completed")
        except Exception as err:  # over already: nothing to stop
            log.info("leg %s could not be ended: %s", sid, err)


def _device(dial: Dial, agent: AgentInfo, callback_url: str) -> None:
    events = "answered"
    if agent.device_kind == "phone":
        dial.number(
            agent.device_address, status_callback=callback_url, status_callback_event=events
        )
    elif agent.device_kind == "sip":
        dial.sip(agent.device_address, status_callback=callback_url, status_callback_event=events)
    else:
        dial.client(
            agent.device_address, status_callback=callback_url, status_callback_event=events
        )


@dataclass(frozen=True, slots=True)
class ConferenceMode:
    """Bridging through the call's conference (what hold, consult, coaching and barge
    need): the caller's music and announcements, recording per queue, and where the
    agent's leg is kept."""

    renderer: t.TwimlRenderer
    lives: LiveStates
    record: Callable[[str], bool] = lambda queue: False


class TwilioBridge:
    """Implements `agents.ports.Bridge` for calls that came in through Twilio: through the
    call's conference (`conference` given), else a plain `<Dial>` of the device (the
    simulator's calls)."""

    def __init__(
        self,
        rest: TwilioRest | None,
        public_base_url: str,
        offer_seconds: int,
        provider: str = PROVIDER,
        conference: ConferenceMode | None = None,
    ) -> None:
        self._rest = rest
        self._provider = provider  # the calls it bridges: `provider` in their routing data
        self._base = public_base_url.rstrip("/")
        self._offer_seconds = offer_seconds
        self._conference = conference

    def urls(self, call: RoutedCall) -> t.TwimlUrls:
        """Absolute URLs: the public base URL, else the one the call's webhooks came to."""
        return t.TwimlUrls(self._base or call.line.base_url)

    def dial_twiml(self, call_id: str, agent: AgentInfo, call: RoutedCall) -> str:
        """The TwiML that rings the agent for the offer time."""
        urls = self.urls(call)
        query = {"call": call_id, "agent": str(agent.agent_id), "queue": call.queue}
        response = VoiceResponse()
        dial = response.dial(
            timeout=self._offer_seconds, action=urls.url(t.DIAL_RESULT, **query), method="POST"
        )
        _device(dial, agent, urls.url(t.AGENT_LEG, **query))
        return str(response)

    def requeue_twiml(self, call: RoutedCall) -> str:
        """Back to waiting in the queue (after a missed offer or a transfer)."""
        return str(t.TwimlRenderer.enqueue(VoiceResponse(), call.queue, self.urls(call)))

    def _sid(self, call: RoutedCall) -> str | None:
        if call.line.provider != self._provider or self._rest is None:
            return None
        return call.line.provider_call or None

    async def connect(self, call_id: str, call: RoutedCall, agent: AgentInfo) -> bool:
        """True once the caller is redirected to `<Dial>` the agent: the device rings now."""
        if self._rest is None:
            log.info(
                "call %s offered to agent %d on the desk only (no Twilio credentials)",
                call_id,
                agent.agent_id,
            )
            return False
        sid = self._sid(call)
        if sid is None:
            return False
        if self._conference is not None:
            await self._meet(self._rest, self._conference, sid, call_id, call, agent)
            return True
        await self._rest.update_call(sid, twiml=self.dial_twiml(call_id, agent, call))
        return True

    async def _meet(
        self,
        rest: TwilioRest,
        mode: ConferenceMode,
        sid: str,
        call_id: str,
        call: RoutedCall,
        agent: AgentInfo,
    ) -> None:
        """The caller into the call's conference (music until the agent comes), then the
        agent's device rung into it for the offer time."""
        urls = self.urls(call)
        query = {"call": call_id, "agent": str(agent.agent_id), "queue": call.queue}
        record = mode.record(call.queue)
        response = VoiceResponse()
        if record:
            notice = [announce.say("recording_notice", call.language or "zh-CN")]
            mode.renderer.document(notice, urls, "", response)
        room = CallerRoom(
            action=urls.url(t.DIAL_RESULT, conference="1", **query),
            status_callback=urls.url(CONFERENCE, call=call_id),
            recording_callback=urls.url(RECORDING, call=call_id),
            wait_url=mode.renderer.hold_music_url,
            record=record,
        )
        await rest.update_call(sid, twiml=str(caller_joins(response, call_id, room)))
        leg = await rest.create_call(
            device_address(agent),
            caller_id(call, agent),
            ask_on_answer(urls.url(AGENT_JOIN, **query)),
            LegOptions(urls.url(t.AGENT_LEG, **query), timeout=self._offer_seconds),
        )
        await mode.lives.put(call_id, LiveState(agent.agent_id, refs={AGENT_LEG: leg, CALLER: sid}))

    async def withdraw(self, call_id: str, call: RoutedCall) -> None:
        sid = self._sid(call)
        if sid is None or call.callback:
            return
        assert self._rest is not None
        if self._conference is not None:
            state = await self._conference.lives.get(call_id)
            await self._conference.lives.forget(call_id)
            if state is not None and AGENT_LEG in state.refs:
                await end_leg(self._rest, state.refs[AGENT_LEG])
        await self._rest.update_call(sid, twiml=self.requeue_twiml(call))

    async def hang_up(self, call_id: str, call: RoutedCall) -> None:
        sid = self._sid(call)
        if sid is not None:
            await self._rest.update_call(sid, status="completed")  # type: ignore[union-attr]

    async def interrupt(self, call_id: str, call: RoutedCall) -> None:
        """The queue's maximum wait passed: the waiting caller leaves the hold music for the
        wait URL at once, which tells the caller what now (callback offer, or goodbye)."""
        sid = self._sid(call)
        if sid is not None and not call.callback:
            response = VoiceResponse()
            # Out of Twilio's queue now: the wait URL's hold loop says what happens next.
            response.redirect(self.urls(call).url(t.WAIT, hold="1"), method="POST")
            await self._rest.update_call(sid, twiml=str(response))  # type: ignore[union-attr]

    async def is_live(self, call: RoutedCall) -> bool | None:
        sid = self._sid(call)
        if sid is None:
            return None
        status = await self._rest.call_status(sid)  # type: ignore[union-attr]
        return None if status is None else status not in ENDED
