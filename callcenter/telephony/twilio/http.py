"""Twilio voice webhooks: the incoming call, each IVR step, status callbacks, the queue.

Every request must carry a valid `X-Twilio-Signature`; anything else is 403, logged, and
stores nothing. A retried request (same session seq) gets the reply already sent.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from callcenter.calls.lifecycle import CALLBACK_KEPT
from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import caller_number, mask
from callcenter.telephony.announce import CALLBACK_OFFER, CALLBACK_PLACE_KEPT, queue_announcement
from callcenter.telephony.ports import CallLog, Ivr, Queueing
from callcenter.telephony.twilio.signature import TwilioSignature, is_simulated, provider_of
from callcenter.telephony.twilio.twiml import TwimlUrls, to_twiml
from ivr_flows.models import Command, Event, EventKind, Session

log = logging.getLogger(__name__)
E = CallEventType
PROVIDER = "twilio"
TWIML = "application/xml"
KNOWN_CALLS = 50_000
TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


class TwilioWebhooks:
    """The `/twilio/` routes."""

    def __init__(
        self,
        calls: CallLog,
        ivr: Ivr,
        signature: TwilioSignature,
        hold_music_url: str,
        urls: TwimlUrls | None = None,
        queueing: Queueing | None = None,
    ) -> None:
        self._calls = calls
        self._ivr = ivr
        self._queueing = queueing
        self._signature = signature
        self._hold_music = hold_music_url
        self._urls = urls or TwimlUrls()
        # CallSid -> (call id, from, to): a mapping that never changes, so each instance
        # keeps the ones it has seen and an IVR step needs no database read to find its call.
        self._known: OrderedDict[str, tuple[str, str, str]] = OrderedDict()

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        routes = {
            "/twilio/voice": self.voice,
            self._urls.step: self.step,
            "/twilio/status": self.status,
            self._urls.wait: self.wait,
            self._urls.queue_result: self.queue_result,
            self._urls.callback: self.callback,
            self._urls.agent_leg: self.agent_leg,
            self._urls.dial_result: self.dial_result,
        }
        for path, handler in routes.items():
            app.router.add_post(path, self._signed(handler))

    def _signed(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def checked(request: web.Request) -> web.StreamResponse:
            form = await request.post()
            params = {k: str(v) for k, v in form.items()}
            check = await self._signature.check(request, params)
            if check.refused:
                log.warning("refused %s %s: %s", request.method, request.path, check.reason)
                raise web.HTTPForbidden(reason=f"webhook refused: {check.reason}")
            return await handler(request, check.params)

        return checked

    def _render(self, session: Session, commands: list[Command]) -> str:
        return to_twiml(session, commands, self._ivr.flow, self._urls)

    async def _call(self, params: Mapping[str, str]) -> tuple[CallRecord, bool]:
        sid = params.get("CallSid", "")
        if not sid:
            raise InvalidInputError("CallSid is missing", code="invalid-webhook")
        ref = ProviderRef(PROVIDER, sid)
        existing = await self._calls.find_by_provider(ref)
        if existing is not None:
            self._remember(sid, existing)
            return existing, False
        direction = (
            Direction.OUTBOUND
            if params.get("Direction", "").startswith("outbound")
            else Direction.INBOUND
        )
        record = await self._calls.start(
            direction,
            caller_number(params.get("From", "")),
            caller_number(params.get("To", "")),
            ref,
            simulated=is_simulated(params),
        )
        self._remember(sid, record)
        return record, True

    def _remember(self, sid: str, call: CallRecord) -> None:
        self._known[sid] = (call.id, call.from_number, call.to_number)
        if len(self._known) > KNOWN_CALLS:
            self._known.popitem(last=False)

    async def _call_of_step(self, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """The call id and IVR variables for a step of a call this instance knows (no read)."""
        known = self._known.get(params.get("CallSid", ""))
        if known is None:
            call, new = await self._call(params)
            if new:
                await self._calls.record(call.id, E.IVR_ENTERED)
            return call.id, self._variables(call, params)
        call_id, caller, called = known
        return call_id, _variables(call_id, caller, called, params)

    def _variables(self, call: CallRecord, params: Mapping[str, str]) -> dict[str, str]:
        return _variables(call.id, call.from_number, call.to_number, params)

    async def voice(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The number's Voice URL: a new call enters the IVR."""
        call, new = await self._call(params)
        if new or call.state == "ringing":
            await self._calls.record(call.id, E.IVR_ENTERED)
        log.info("call %s from %s entered the IVR", call.id, mask(call.from_number))
        reply = await self._ivr.start(call.id, self._variables(call, params), self._render)
        return web.Response(text=reply, content_type=TWIML)

    async def step(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """A Gather's action: digits, speech, or nothing (`actionOnEmptyResult`)."""
        call_id, variables = await self._call_of_step(params)
        seq_text = request.query.get("seq", "")
        seq = int(seq_text) if seq_text.isdigit() else None
        if params.get("SpeechResult"):
            event = Event(EventKind.SPEECH, {"text": params["SpeechResult"]})
        elif params.get("Digits"):
            event = Event(EventKind.DIGITS, {"digits": params["Digits"]})
        else:
            event = Event(EventKind.NO_INPUT)
        reply = await self._ivr.handle(call_id, event, seq, self._render, variables)
        return web.Response(text=reply, content_type=TWIML)

    async def status(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """Status callbacks: recorded with Twilio's own timestamp; an end ends the session."""
        call, _ = await self._call(params)
        state = params.get("CallStatus", "")
        await self._calls.record(
            call.id,
            E.PROVIDER_STATUS,
            {
                "provider": PROVIDER,
                "status": state,
                "timestamp": params.get("Timestamp"),
                "sequence": params.get("SequenceNumber"),
                "duration": params.get("CallDuration"),
            },
        )
        if state in TERMINAL:
            await self._end(call, state)
        return web.Response(status=204)

    async def _end(self, call: CallRecord, reason: str) -> None:
        kept = self._queueing is not None and await self._queueing.call_ended(call.id, reason)
        if call.state == "ringing" and reason in ("busy", "failed", "no-answer"):
            await self._calls.record(call.id, E.FAILED, {"reason": reason})
        else:
            ended = CALLBACK_KEPT if kept else reason
            await self._calls.record(call.id, E.HUNG_UP, {"reason": ended})
        await self._ivr.end(call.id)

    async def wait(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The queue's wait URL: position and estimated wait in our queue (priority order),
        a callback offer when the wait is long, then hold music (Twilio calls it again)."""
        response = VoiceResponse()
        known = self._known.get(params.get("CallSid", ""))
        info = None
        if known is not None and self._queueing is not None:
            info = await self._queueing.waiting_info(known[0])
        if info is not None:
            text = queue_announcement(info)
            if info.offer_callback:
                gather = response.gather(
                    input="dtmf", num_digits=1, timeout=5, action=self._urls.callback, method="POST"
                )
                gather.say(text + CALLBACK_OFFER, language="zh-CN")
            else:
                response.say(text, language="zh-CN")
        else:
            position = params.get("QueuePosition", "")
            if position.isdigit():
                text = f"您前面还有{int(position) - 1}位客户在等待，请稍候。"
                response.say(text, language="zh-CN")
        response.play(self._hold_music)
        return web.Response(text=str(response), content_type=TWIML)

    async def callback(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The caller's answer to the callback offer while waiting: 1 keeps the place."""
        response = VoiceResponse()
        known = self._known.get(params.get("CallSid", ""))
        if params.get("Digits") == "1" and known is not None and self._queueing is not None:
            await self._queueing.request_callback(known[0], known[1])
            response.say(CALLBACK_PLACE_KEPT, language="zh-CN")
            response.hangup()
        else:
            response.redirect(self._urls.wait, method="POST")
        return web.Response(text=str(response), content_type=TWIML)

    async def agent_leg(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """Status of the agent's leg of an offer: answered accepts the offer."""
        call_id, agent_id = _offer_of(request)
        if self._queueing is not None and params.get("CallStatus") in ("in-progress", "answered"):
            await self._queueing.device_answered(call_id, agent_id)
        return web.Response(status=204)

    async def dial_result(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The Dial to the agent ended: not answered puts the caller back in the queue at
        the head; answered and over sends the agent to wrap-up and the caller on (survey)."""
        call_id, agent_id = _offer_of(request)
        status = params.get("DialCallStatus", "")
        callback = request.query.get("kind") == "callback"
        if self._queueing is None:
            return web.Response(text=str(VoiceResponse()), content_type=TWIML)
        if status in ("completed", "answered") or params.get("DialBridged") == "true":
            await self._queueing.call_ended(call_id, "agent-hangup")
            if callback:
                return web.Response(text=str(VoiceResponse()), content_type=TWIML)
            event = Event(EventKind.QUEUE_RESULT, {"result": "bridged"})
            reply = await self._ivr.handle(call_id, event, None, self._render)
            return web.Response(text=reply, content_type=TWIML)
        await self._queueing.device_unanswered(call_id, agent_id, status or "no-answer")
        response = VoiceResponse()
        if not callback:
            response.enqueue(
                request.query.get("queue", "general"),
                action=self._urls.queue_result,
                method="POST",
                wait_url=self._urls.wait,
                wait_url_method="POST",
            )
        return web.Response(text=str(response), content_type=TWIML)

    async def queue_result(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The Enqueue action: the caller left the queue (bridged, hung up, …)."""
        call, _ = await self._call(params)
        result = params.get("QueueResult", "")
        if result == "redirected":  # our REST redirect to an agent: the new TwiML runs
            return web.Response(text=str(VoiceResponse()), content_type=TWIML)
        if result in ("hangup", "system-error") or params.get("CallStatus") in TERMINAL:
            await self._end(call, "caller" if result == "hangup" else result)
            return web.Response(text=str(VoiceResponse()), content_type=TWIML)
        event = Event(EventKind.QUEUE_RESULT, {"result": result})
        variables = self._variables(call, params)
        reply = await self._ivr.handle(call.id, event, None, self._render, variables)
        return web.Response(text=reply, content_type=TWIML)


def _variables(call_id: str, caller: str, called: str, params: Mapping[str, str]) -> dict[str, str]:
    return {
        "caller": caller,
        "called": called,
        "call_id": call_id,
        "provider": provider_of(params, PROVIDER),
        "provider_call": params.get("CallSid", ""),
    }


def _offer_of(request: web.Request) -> tuple[str, int]:
    call_id, agent = request.query.get("call", ""), request.query.get("agent", "")
    if not call_id or not agent.isdigit():
        raise InvalidInputError("call and agent are required in the URL", code="invalid-webhook")
    return call_id, int(agent)
