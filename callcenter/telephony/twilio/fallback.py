"""What a Twilio webhook answers when something behind it fails (PostgreSQL or Redis down, a
bug): never JSON, which Twilio would play as its own error to the caller, but TwiML.

A call-facing route answers a spoken apology, in the call's language when this instance has
seen it (else Chinese then English), then the configured fallback: `<Dial>` the duty number
when `[twilio] fallback_number` is set, else a short `<Pause>` and a `<Redirect>` back to the
same route with a retry counter, at most `[twilio] fallback_retries` times, then a goodbye
and `<Hangup/>`. A status-type callback answers 204. Each failure is logged once with the
route and the error's class. Bad signatures (403) and bad input (4xx) are not failures here.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from callcenter.core.errors import CallcenterError
from callcenter.telephony import announce
from callcenter.telephony.twilio import twiml as t
from callcenter.telephony.twilio.conference import AGENT_JOIN, CONFERENCE, LIVE_LEG, RECORDING

log = logging.getLogger(__name__)
TWIML = "application/xml"
RETRY_PARAM: Final = "fb_retry"
PAUSE_SECONDS: Final = 2
LANGUAGES: Final = ("zh-CN", "en-US")  # spoken in this order when the call's is unknown
APOLOGY: Final = "store_down_apology"
GOODBYE: Final = "store_down_goodbye"
KNOWN_LANGUAGES: Final = 50_000
# Callbacks nobody hears: they answer 204 and Twilio moves on.
STATUS_ROUTES: Final = frozenset(
    {
        "/twilio/status",
        t.AGENT_LEG,
        CONFERENCE,
        RECORDING,
        LIVE_LEG,
        "/twilio/outbound/status",
        "/twilio/outbound/amd",
    }
)
NO_RETRY_ROUTES: Final = frozenset({AGENT_JOIN})  # an agent's leg: apologise and hang up
_LANGUAGE = re.compile(rb' language="([A-Za-z]{2,3}-[A-Za-z0-9]{2,8})"')


@dataclass(frozen=True, slots=True)
class FallbackPolicy:
    """`[twilio] fallback_number` ("" for none) and `fallback_retries`."""

    number: str = ""
    retries: int = 2


def is_failure(err: Exception) -> bool:
    """Whether an error of a webhook is a failure behind it (answered with the fallback)
    rather than a refusal or bad input, which keep their own answer."""
    if isinstance(err, web.HTTPException):
        return False
    return not (isinstance(err, CallcenterError) and err.status < 500)


class TwilioFallback:
    """Answers a failed webhook; remembers each call's language from the TwiML it was last
    answered with, so the apology is spoken in it."""

    def __init__(self, renderer: t.TwimlRenderer, policy: FallbackPolicy | None = None) -> None:
        self._renderer = renderer
        self.policy = policy or FallbackPolicy()
        self._languages: OrderedDict[str, str] = OrderedDict()

    def observe(self, params: Mapping[str, str], response: web.StreamResponse) -> None:
        """Note the language a call was last spoken to in (a cheap look at the TwiML)."""
        body = response.body if isinstance(response, web.Response) else None
        if not isinstance(body, bytes):
            return
        found = _LANGUAGE.search(body)
        sid = params.get("CallSid", "")
        if found is None or not sid:
            return
        self._languages[sid] = found[1].decode()
        self._languages.move_to_end(sid)
        if len(self._languages) > KNOWN_LANGUAGES:
            self._languages.popitem(last=False)

    def language_of(self, params: Mapping[str, str]) -> str | None:
        return self._languages.get(params.get("CallSid", ""))

    def answer(
        self, request: web.Request, params: Mapping[str, str], err: Exception, base: str
    ) -> web.Response:
        """The answer to a webhook whose handler failed with `err`."""
        log.warning(
            "twilio %s failed (%s): answered with the fallback",
            request.path,
            type(err).__name__,
        )
        if request.path in STATUS_ROUTES:
            return web.Response(status=204)
        try:
            text = self.document(request, params, base)
        except Exception as failed:  # a broken prompt must not turn into JSON either
            log.error("fallback TwiML not rendered (%s): hung up", type(failed).__name__)
            text = t.hangup()
        return web.Response(text=text, content_type=TWIML)

    def document(self, request: web.Request, params: Mapping[str, str], base: str) -> str:
        """Apology, then the duty number, a retry of the same route, or a goodbye."""
        known = self.language_of(params)
        languages = (known,) if known in LANGUAGES else LANGUAGES
        response = VoiceResponse()
        self._say(response, APOLOGY, languages)
        text = request.query.get(RETRY_PARAM, "0")
        tried = int(text) if text.isdigit() else 0
        if request.path in NO_RETRY_ROUTES:
            response.hangup()
        elif self.policy.number:
            response.dial(self.policy.number)
        elif tried < self.policy.retries:
            response.pause(length=PAUSE_SECONDS)
            query = dict(request.query) | {RETRY_PARAM: str(tried + 1)}
            response.redirect(t.TwimlUrls(base).url(request.path, **query), method="POST")
        else:
            self._say(response, GOODBYE, languages)
            response.hangup()
        return str(response)

    def _say(self, response: VoiceResponse, prompt: str, languages: tuple[str, ...]) -> None:
        for language in languages:
            self._renderer.say(response, announce.say(prompt, language))
