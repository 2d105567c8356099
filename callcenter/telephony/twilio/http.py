"""Twilio voice webhooks: the incoming call, each IVR step, status callbacks, the queue.

Every request must carry a valid `X-Twilio-Signature`; anything else is 403, logged, and
stores nothing. Each handler parses Twilio's form into a domain event, runs the use case and
renders TwiML. A call Twilio asks about that we never saw is logged and hung up, and creates
no record; after a call ended, every request for it answers `<Hangup/>` and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from agents.models import MaxWaitAction
from callcenter.calls.models import CallEventType, CallRecord, Direction, ProviderRef
from callcenter.core.ending import EndedBy
from callcenter.core.phone import caller_number, mask
from callcenter.httpkit import unstorable
from callcenter.telephony import announce
from callcenter.telephony.ports import CallEnd, CallLog, Deliveries, Ivr, Queueing
from callcenter.telephony.tone import beep_wav
from callcenter.telephony.twilio import twiml as t
from callcenter.telephony.twilio.conference import AGENT_JOIN, Role, leg_joins
from callcenter.telephony.twilio.fallback import TwilioFallback, is_failure
from callcenter.telephony.twilio.signature import TwilioSignature, is_simulated, provider_of
from callcenter.telephony.twilio.webhook_calls import (
    KnownCall,
    LiveCall,
    call_sid,
    delivery_of,
    offer_of,
    twiml_response,
)
from ivr_flows.commands import CallerCommand, Gather, Hangup, InputMode, IvrReply, IvrState
from ivr_flows.events import CallerInput, QueueLeft

log = logging.getLogger(__name__)
E = CallEventType
PROVIDER = "twilio"
KNOWN_CALLS = 50_000
TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
NEVER_CONNECTED = frozenset({"busy", "failed", "no-answer", "canceled"})
CALLBACK_KEY_SECONDS = 5

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


class TwilioWebhooks:
    """The `/twilio/` routes."""

    def __init__(
        self,
        calls: CallLog,
        ivr: Ivr,
        ending: CallEnd,
        signature: TwilioSignature,
        renderer: t.TwimlRenderer,
        public_base_url: str,
        queueing: Queueing | None = None,
        deliveries: Deliveries | None = None,
    ) -> None:
        self._calls = calls
        self._ivr = ivr
        self._ending = ending
        self._queueing = queueing
        self._deliveries = deliveries
        self._signature = signature
        self._renderer = renderer
        self._base = public_base_url.rstrip("/")
        self._known: OrderedDict[str, KnownCall] = OrderedDict()
        self.fallback = TwilioFallback(renderer)  # issue 17: TwiML whatever store is down

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        routes = {
            "/twilio/voice": self.voice,
            t.STEP: self.step,
            "/twilio/status": self.status,
            t.WAIT: self.wait,
            t.QUEUE_RESULT: self.queue_result,
            t.CALLBACK: self.callback,
            t.AGENT_LEG: self.agent_leg,
            t.DIAL_RESULT: self.dial_result,
            AGENT_JOIN: self.agent_join,
        }
        for path, handler in routes.items():
            app.router.add_post(path, self.signed(handler))
        app.router.add_get(t.TONE, self.tone)

    def signed(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def checked(request: web.Request) -> web.StreamResponse:
            params = await _form(request)
            try:  # issue 17: a failure behind a webhook answers TwiML, never JSON
                check = await self._signature.check(request, params)
                if check.refused:
                    log.warning("refused %s %s: %s", request.method, request.path, check.reason)
                    raise web.HTTPForbidden(reason=f"webhook refused: {check.reason}")
                response = await handler(request, check.params)
            except Exception as err:
                if not is_failure(err):
                    raise
                return self.fallback.answer(request, params, err, self.urls(request).base)
            self.fallback.observe(params, response)
            return response

        return checked

    def urls(self, request: web.Request) -> t.TwimlUrls:
        return t.TwimlUrls(self._base or str(request.url.origin()))

    def _remember(self, sid: str, call: CallRecord) -> KnownCall:
        known = KnownCall(call.id, call.from_number, call.to_number)
        self._known[sid] = known
        if len(self._known) > KNOWN_CALLS:
            self._known.popitem(last=False)
        return known

    async def _find(self, params: Mapping[str, str]) -> KnownCall | None:
        """The call of a request's CallSid, never created here."""
        sid = call_sid(params)
        known = self._known.get(sid)
        if known is not None:
            return known
        record = await self._calls.find_by_provider(ProviderRef(PROVIDER, sid))
        return self._remember(sid, record) if record is not None else None

    async def _live(self, params: Mapping[str, str]) -> LiveCall | None:
        """The call and its language, unless it is unknown or over (then the request only
        hangs up): one read of the IVR session for both."""
        known = await self._find(params)
        if known is None:
            log.warning("Twilio asked about call %s, which we never saw", params.get("CallSid"))
            return None
        status = await self._ivr.status(known.call_id)
        if status.state is IvrState.CLOSED:
            return None
        return LiveCall(known.call_id, known.caller, status.language)

    def _variables(
        self, request: web.Request, known: KnownCall, params: Mapping[str, str]
    ) -> dict[str, str]:
        return {
            "caller": known.caller,
            "called": known.called,
            "call_id": known.call_id,
            "provider": provider_of(params, PROVIDER),
            "provider_call": params.get("CallSid", ""),
            "base_url": self.urls(request).base,
        }

    def render(self, request: web.Request, reply: IvrReply) -> web.Response:
        if reply.over:
            return twiml_response(t.hangup())
        urls = self.urls(request)
        action = urls.url(t.STEP, seq=str(reply.session.seq))
        return twiml_response(self._renderer.text(reply.commands, urls, action))

    async def voice(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The number's Voice URL: a new call enters the IVR."""
        sid = call_sid(params)
        known = self._known.get(sid)
        if known is None:  # new, or a retry another instance saw: `start` knows which
            direction = (
                Direction.OUTBOUND
                if params.get("Direction", "").startswith("outbound")
                else Direction.INBOUND
            )
            record = await self._calls.start(
                direction,
                caller_number(params.get("From", "")),
                caller_number(params.get("To", "")),
                ProviderRef(PROVIDER, sid),
                simulated=is_simulated(params),
                then=[(E.IVR_ENTERED, {})],
            )
            known = self._remember(sid, record)
            log.info("call %s from %s entered the IVR", known.call_id, mask(known.caller))
        reply = await self._ivr.start(known.call_id, self._variables(request, known, params))
        return self.render(request, reply)

    async def step(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """A Gather's action: keys, words, both or nothing (`actionOnEmptyResult`)."""
        known = await self._find(params)
        if known is None:
            log.warning("IVR step for call %s, which we never saw", params.get("CallSid"))
            return twiml_response(t.hangup())
        seq_text = request.query.get("seq", "")
        seq = int(seq_text) if seq_text.isdigit() else None
        event = CallerInput(params.get("Digits", ""), params.get("SpeechResult", ""))
        variables = self._variables(request, known, params)
        reply = await self._ivr.handle(known.call_id, event, seq, variables)
        return self.render(request, reply)

    async def status(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """Status callbacks: recorded with Twilio's own timestamp; an end ends the call."""
        known = await self._find(params)
        if known is None:
            log.warning(
                "status %r for call %s, which we never saw",
                params.get("CallStatus"),
                params.get("CallSid"),
            )
            return web.Response(status=204)
        state = params.get("CallStatus", "")
        delivery = delivery_of(params)
        if delivery and self._deliveries and not await self._deliveries.first(delivery):
            log.info("status %r of call %s delivered again: already applied", state, known.call_id)
            return web.Response(status=204)
        try:
            await self._status(known.call_id, params)
        except BaseException:
            if delivery and self._deliveries:
                await self._deliveries.forget(delivery)  # Twilio's retry applies it
            raise
        return web.Response(status=204)

    async def _status(self, call_id: str, params: Mapping[str, str]) -> None:
        state = params.get("CallStatus", "")
        if state not in TERMINAL:
            await self.record_status(call_id, params)
            return
        # the record once the status is on it (appends fold onto the latest); the IVR beside
        record, ivr = await asyncio.gather(
            self.record_status(call_id, params), self._ivr.status(call_id)
        )
        if not record.is_over:
            failed = record.state == "ringing" and state in NEVER_CONNECTED
            reason = state if failed else EndedBy.CALLER
            if ivr.state is IvrState.FINISHED:
                reason = EndedBy.IVR_ENDED  # the flow said goodbye and hung up
            await self._ending.ended(record.id, reason, failed=failed)

    async def record_status(self, call_id: str, params: Mapping[str, str]) -> CallRecord:
        """A status callback on the call's record, with Twilio's own timestamp; the record
        as it now stands."""
        data = {
            "provider": PROVIDER,
            "status": params.get("CallStatus", ""),
            "timestamp": params.get("Timestamp"),
            "sequence": params.get("SequenceNumber"),
            "duration": params.get("CallDuration"),
        }
        if params.get("AnsweredBy"):
            data["answered_by"] = params["AnsweredBy"]
        return await self._calls.record(call_id, E.PROVIDER_STATUS, data)

    async def wait(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The queue's wait URL (and the hold loop outside a Twilio queue): position and
        estimated wait in our queue, in the call's language, a callback offer when the wait
        is long or nobody can answer, then hold music."""
        known = await self._live(params)
        if known is None:
            return twiml_response(t.hangup())
        urls = self.urls(request)
        hold = request.query.get("hold") == "1"
        info = await self._queueing.waiting_info(known.call_id) if self._queueing else None
        language = known.language
        if info is not None and info.max_wait is MaxWaitAction.END:
            await self._ending.ended(known.call_id, EndedBy.MAX_WAIT)
            goodbye: list[CallerCommand] = [announce.say("max_wait_end", language), Hangup()]
            return twiml_response(str(self._renderer.document(goodbye, urls, "")))
        response = VoiceResponse()
        stay = request.query.get("stay") == "1"  # the caller chose to wait past the maximum
        loop = {"hold": "1"} | ({"stay": "1"} if stay else {})
        if info is not None:
            said: list[CallerCommand] = []
            query = dict(loop) if hold else {}
            if info.max_wait is MaxWaitAction.CALLBACK and not stay:
                said.append(announce.say("max_wait_offer", language))
                query["max_wait"] = "1"
            else:
                said += announce.queue_announcement(info, language)
            if info.offer_callback or "max_wait" in query:
                said.append(Gather(InputMode.DTMF, CALLBACK_KEY_SECONDS, language=language))
            self._renderer.document(said, urls, urls.url(t.CALLBACK, **query), response)
        response.play(self._renderer.hold_music_url)
        if hold:
            response.redirect(urls.url(t.WAIT, **loop), method="POST")
        return twiml_response(str(response))

    async def callback(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The caller's answer to the callback offer while waiting: 1 keeps the place."""
        known = await self._live(params)
        if known is None:
            return twiml_response(t.hangup())
        urls = self.urls(request)
        hold = request.query.get("hold") == "1"
        digits = params.get("Digits", "")
        max_wait = request.query.get("max_wait") == "1"  # silence keeps the place there
        if self._queueing is None or not (digits == "1" or (max_wait and not digits)):
            query = {"hold": "1"} if hold else {}
            staying = max_wait or request.query.get("stay") == "1"
            query |= {"stay": "1"} if staying else {}  # the caller chose to keep waiting
            response = VoiceResponse()
            response.redirect(urls.url(t.WAIT, **query), method="POST")
            return twiml_response(str(response))
        await self._queueing.request_callback(known.call_id, known.caller)
        kept = [announce.say("callback_kept", known.language)]
        response = self._renderer.document(kept, urls, "")
        response.hangup()
        return twiml_response(str(response))

    async def agent_leg(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """Status of the agent's leg of an offer: answered accepts the offer. A leg placed
        into the call's conference that ends unanswered puts the caller back at the head of
        the queue; one that ends after the answer is the agent leaving."""
        call_id, agent_id = offer_of(request)
        status = params.get("CallStatus", "")
        if self._queueing is None:
            return web.Response(status=204)
        if status in ("in-progress", "answered"):
            await self._queueing.device_answered(call_id, agent_id)
        elif status in NEVER_CONNECTED:
            await self._queueing.device_unanswered(call_id, agent_id, status, requeue=True)
        elif status == "completed":
            await self._queueing.agent_left(call_id, agent_id, EndedBy.AGENT)
        return web.Response(status=204)

    async def agent_join(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The agent's leg placed into the call's conference answered: the offer is
        accepted and the leg joins the conference; a leg answered after the offer was
        withdrawn or the caller left hangs up instead of waiting in an empty room."""
        call_id, agent_id = offer_of(request)
        if self._queueing is not None and await self._queueing.device_answered(call_id, agent_id):
            return twiml_response(leg_joins(call_id, Role.AGENT))
        log.info("call %s: agent %d's leg answered too late: hung up", call_id, agent_id)
        return twiml_response(t.hangup())

    async def dial_result(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The Dial to the agent (or the call's conference) ended: not answered puts the
        caller back in the queue at the head; answered and over sends the agent to wrap-up
        and the caller on (survey)."""
        call_id, agent_id = offer_of(request)
        if self._queueing is None or (await self._ivr.status(call_id)).state is IvrState.CLOSED:
            return twiml_response(t.hangup())
        status = params.get("DialCallStatus", "")
        urls = self.urls(request)
        conference = request.query.get("conference") == "1"
        if conference and await self._queueing.waiting_info(call_id) is not None:
            # back in the queue (the agent's device did not answer): wait there again
            response = self._renderer.enqueue(
                VoiceResponse(), request.query.get("queue", "general"), urls
            )
            return twiml_response(str(response))
        if conference or status in ("completed", "answered") or params.get("DialBridged") == "true":
            caller_on = params.get("CallStatus") not in TERMINAL  # the caller is still there
            by = EndedBy.AGENT if caller_on else EndedBy.CALLER
            await self._queueing.agent_left(call_id, agent_id, by)
            if not caller_on:
                return twiml_response(str(VoiceResponse()))
            reply = await self._ivr.handle(call_id, QueueLeft("bridged"))
            return self.render(request, reply)
        await self._queueing.device_unanswered(call_id, agent_id, status or "no-answer")
        response = VoiceResponse()
        self._renderer.enqueue(response, request.query.get("queue", "general"), urls)
        return twiml_response(str(response))

    async def queue_result(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The Enqueue action: the caller left Twilio's queue (bridged, hung up, full…)."""
        known = await self._live(params)
        if known is None:
            return twiml_response(t.hangup())
        result = params.get("QueueResult", "")
        if result == "redirected":  # our REST redirect to an agent: the new TwiML runs
            return twiml_response(str(VoiceResponse()))
        if result == "hangup" or params.get("CallStatus") in TERMINAL:
            await self._ending.ended(known.call_id, EndedBy.CALLER)
            return twiml_response(str(VoiceResponse()))
        if result in ("bridged", "leave"):
            reply = await self._ivr.handle(known.call_id, QueueLeft(result))
            return self.render(request, reply)
        # queue-full, error, system-error: the caller keeps the place in our queue and waits
        # on the hold loop instead of Twilio's queue.
        log.warning("call %s: Twilio queue result %r: holding outside it", known.call_id, result)
        response = VoiceResponse()
        response.redirect(self.urls(request).url(t.WAIT, hold="1"), method="POST")
        return twiml_response(str(response))

    async def tone(self, request: web.Request) -> web.Response:
        """The beep before the caller speaks."""
        return web.Response(body=beep_wav(), content_type="audio/wav")


async def _form(request: web.Request) -> dict[str, str]:
    """A webhook's form fields; a body that is not a UTF-8 form, or holds what no store can
    (a NUL), is refused like a bad signature: an HTTP error, before anything is looked up."""
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest(reason="the webhook body is not a UTF-8 form") from None
    params = {k: str(v) for k, v in form.items()}
    if unstorable("".join(k + v for k, v in params.items())):  # one string: issue 17
        raise web.HTTPBadRequest(reason="the webhook body holds characters no store can keep")
    return params
