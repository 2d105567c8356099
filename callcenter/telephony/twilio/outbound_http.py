"""Twilio webhooks of campaign calls, each carrying its attempt key (`?attempt=<key>`):

- `/twilio/outbound/answer`: the callee answered. With Twilio's asynchronous
  answering-machine detection the verdict comes on its own callback a moment later, so the
  answered call waits for it, one second at a time (`<Pause>` and `<Redirect>`), for at most
  `AMD_WAIT_SECONDS`; then the message flow starts with the verdict (`unknown` when none came:
  the neutral message, which a person passes with "press 1"). A synchronous verdict
  (`AnsweredBy` on the request) starts it at once. Later steps go to the IVR's own step URL.
- `/twilio/outbound/amd`: the verdict, kept for the waiting call.
- `/twilio/outbound/status`: the call's progress on its record; its end gives the attempt's
  result (busy, no answer, failed, or answered with what the flow recorded).

Every request must be signed like the inbound webhooks.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from callcenter.calls.models import ProviderRef
from callcenter.core.errors import InvalidInputError
from callcenter.telephony.ports import CallLog, CampaignCalls
from callcenter.telephony.twilio import twiml as t
from callcenter.telephony.twilio.http import PROVIDER, TwilioWebhooks
from callcenter.telephony.twilio.outbound import AMD_PATH, ANSWER_PATH, STATUS_PATH, call_result
from callcenter.telephony.twilio.webhook_calls import twiml_response

log = logging.getLogger(__name__)
AMD_WAIT_SECONDS = 5


class AmdVerdicts(Protocol):
    """Verdicts of the asynchronous detection, shared between instances."""

    async def set(self, call_sid: str, verdict: str) -> None: ...

    async def get(self, call_sid: str) -> str | None: ...


def _key(request: web.Request) -> str:
    key = request.query.get("attempt", "")
    if not key:
        raise InvalidInputError("the attempt key is missing", code="invalid-webhook")
    return key


def _sid(params: Mapping[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not sid:
        raise InvalidInputError("CallSid is missing", code="invalid-webhook")
    return sid


class TwilioCampaignWebhooks:
    """The `/twilio/outbound/` routes; `machine_detection` off: nobody waits for a verdict."""

    def __init__(
        self,
        inbound: TwilioWebhooks,
        campaign_calls: CampaignCalls,
        calls: CallLog,
        verdicts: AmdVerdicts,
        *,
        machine_detection: bool = True,
    ) -> None:
        self._inbound = inbound
        self._campaign_calls = campaign_calls
        self._calls = calls
        self._verdicts = verdicts
        self._machine_detection = machine_detection

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        for path, handler in (
            (ANSWER_PATH, self.answer),
            (AMD_PATH, self.amd),
            (STATUS_PATH, self.status),
        ):
            app.router.add_post(path, self._inbound.signed(handler))

    async def answer(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The callee answered: the message flow, once the machine verdict is known."""
        key, sid = _key(request), _sid(params)
        answered_by = params.get("AnsweredBy") or await self._verdicts.get(sid)
        waited_text = request.query.get("waited", "0")
        waited = int(waited_text) if waited_text.isdigit() else AMD_WAIT_SECONDS
        if answered_by is None and self._machine_detection and waited < AMD_WAIT_SECONDS:
            return self._wait(request, key, waited + 1)
        if answered_by is None:
            answered_by = "unknown" if self._machine_detection else "human"
        reply = await self._campaign_calls.answered(key, PROVIDER, sid, answered_by)
        if reply is None:
            return twiml_response(t.hangup())
        return self._inbound.render(request, reply)

    def _wait(self, request: web.Request, key: str, waited: int) -> web.Response:
        base = self._inbound.urls(request)
        again = base.url(ANSWER_PATH, attempt=key, waited=str(waited))
        response = VoiceResponse()
        response.pause(length=1)
        response.redirect(again, method="POST")
        return twiml_response(str(response))

    async def amd(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """The asynchronous verdict (`AnsweredBy`), kept for the answered call."""
        _key(request)
        sid = _sid(params)
        answered_by = params.get("AnsweredBy", "")
        if answered_by:
            await self._verdicts.set(sid, answered_by)
        return web.Response(status=204)

    async def status(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        """Progress on the call's record; the end reported as the attempt's result."""
        key, sid = _key(request), _sid(params)
        record = await self._calls.find_by_provider(ProviderRef(PROVIDER, sid))
        if record is not None:
            await self._inbound.record_status(record.id, params)
        result = call_result(params)
        if result is not None:
            await self._campaign_calls.ended(key, sid, result)
        return web.Response(status=204)
