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

from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import mask, normalise_phone
from callcenter.telephony.twilio.ports import CallLog, Ivr
from callcenter.telephony.twilio.signature import TwilioSignature
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
    ) -> None:
        self._calls = calls
        self._ivr = ivr
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
        }
        for path, handler in routes.items():
            app.router.add_post(path, self._signed(handler))

    def _signed(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def checked(request: web.Request) -> web.StreamResponse:
            form = await request.post()
            params = {k: str(v) for k, v in form.items()}
            if not self._signature.valid(request, params):
                why = (
                    "no TWILIO_AUTH_TOKEN configured"
                    if not self._signature.configured
                    else ("bad or missing X-Twilio-Signature")
                )
                log.warning("refused %s %s: %s", request.method, request.path, why)
                raise web.HTTPForbidden(reason=f"webhook refused: {why}")
            return await handler(request, params)

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
            direction, _number(params.get("From", "")), _number(params.get("To", "")), ref
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
            return call.id, self._variables(call)
        call_id, caller, called = known
        return call_id, {"caller": caller, "called": called, "call_id": call_id}

    def _variables(self, call: CallRecord) -> dict[str, str]:
        return {"caller": call.from_number, "called": call.to_number, "call_id": call.id}

    async def voice(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The number's Voice URL: a new call enters the IVR."""
        call, new = await self._call(params)
        if new or call.state == "ringing":
            await self._calls.record(call.id, E.IVR_ENTERED)
        log.info("call %s from %s entered the IVR", call.id, mask(call.from_number))
        reply = await self._ivr.start(call.id, self._variables(call), self._render)
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
        if call.state == "ringing" and reason in ("busy", "failed", "no-answer"):
            await self._calls.record(call.id, E.FAILED, {"reason": reason})
        else:
            await self._calls.record(call.id, E.HUNG_UP, {"reason": reason})
        await self._ivr.end(call.id)

    async def wait(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The queue's wait URL: position, then hold music (Twilio calls it again after)."""
        position = params.get("QueuePosition", "")
        response = VoiceResponse()
        if position.isdigit():
            response.say(f"您前面还有{int(position) - 1}位客户在等待，请稍候。", language="zh-CN")
        response.play(self._hold_music)
        return web.Response(text=str(response), content_type=TWIML)

    async def queue_result(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The Enqueue action: the caller left the queue (bridged, hung up, …)."""
        call, _ = await self._call(params)
        result = params.get("QueueResult", "")
        if result in ("hangup", "system-error") or params.get("CallStatus") in TERMINAL:
            await self._end(call, "caller" if result == "hangup" else result)
            return web.Response(text=str(VoiceResponse()), content_type=TWIML)
        event = Event(EventKind.QUEUE_RESULT, {"result": result})
        reply = await self._ivr.handle(call.id, event, None, self._render, self._variables(call))
        return web.Response(text=reply, content_type=TWIML)


def _number(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidInputError:
        return raw[:20] or "anonymous"
