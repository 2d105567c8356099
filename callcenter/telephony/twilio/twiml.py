"""Engine commands to TwiML, built with the `twilio` library. Every URL in it is absolute,
from the public base URL (a path prefix kept), so TwiML sent through the REST API works too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from callcenter.telephony.twilio import twiml_text as x
from ivr_flows import commands as c
from ivr_flows.models import Flow
from ivr_flows.prompts import render

STEP = "/twilio/step"
QUEUE_RESULT = "/twilio/queue-result"
WAIT = "/twilio/wait"
DIAL_RESULT = "/twilio/dial-result"
AGENT_LEG = "/twilio/agent-leg"
CALLBACK = "/twilio/callback"
TONE = "/twilio/tone.wav"


@dataclass(frozen=True, slots=True)
class TwimlUrls:
    """Where Twilio sends the caller's answers: `base` (scheme, host and any path prefix
    the proxy adds) + the route."""

    base: str

    def url(self, path: str, **query: str) -> str:
        """An absolute URL of one of our routes."""
        tail = f"?{urlencode(query)}" if query else ""
        return f"{self.base.rstrip('/')}{path}{tail}"


Verb = Any  # a VoiceResponse or a Gather (the twilio library is untyped)


class TwimlRenderer:
    """Prompts spoken with `<Say>` in their language, with the voice configured for it."""

    def __init__(
        self, flow: Callable[[str], Flow], voices: Mapping[str, str], hold_music_url: str
    ) -> None:
        self._flow = flow
        self._voices = dict(voices)
        self.hold_music_url = hold_music_url

    def document(
        self,
        commands: Sequence[c.CallerCommand],
        urls: TwimlUrls,
        action: str,
        response: VoiceResponse | None = None,
    ) -> VoiceResponse:
        """The commands as TwiML; prompts before a Gather go inside it (barge-in), and the
        Gather posts to `action`."""
        response = response or VoiceResponse()
        pending: list[c.Say | c.Tone | c.Play] = []
        for command in commands:
            if isinstance(command, c.Say | c.Tone | c.Play):
                pending.append(command)
            elif isinstance(command, c.Gather):
                self._flush(_gather(response, command, action), pending, urls)
            else:
                self._flush(response, pending, urls)
                if isinstance(command, c.Enqueue):
                    self.enqueue(response, command.queue, urls)
                elif isinstance(command, c.Transfer):
                    response.dial(command.target)
                elif isinstance(command, c.Hangup):
                    response.hangup()
        self._flush(response, pending, urls)
        return response

    def text(self, commands: Sequence[c.CallerCommand], urls: TwimlUrls, action: str) -> str:
        """`str(document(commands, urls, action))`, written straight to text (issue 17)."""
        body: list[str] = []
        pending: list[c.Say | c.Tone | c.Play] = []
        for command in commands:
            if isinstance(command, c.Say | c.Tone | c.Play):
                pending.append(command)
                continue
            if isinstance(command, c.Gather):
                inner = self._verbs(pending, urls)
                attributes = _gather_attributes(command, action)
                gather = x.open_tag("Gather", attributes, empty=not inner)
                body.append(f"{gather}{inner}</Gather>" if inner else gather)
                continue
            body.append(self._verbs(pending, urls))
            if isinstance(command, c.Enqueue):
                body.append(x.element("Enqueue", command.queue, _enqueue_attributes(urls)))
            elif isinstance(command, c.Transfer):
                body.append(x.element("Dial", command.target))
            elif isinstance(command, c.Hangup):
                body.append(x.element("Hangup"))
        body.append(self._verbs(pending, urls))
        return x.document("".join(body))

    def _verbs(self, pending: list[c.Say | c.Tone | c.Play], urls: TwimlUrls) -> str:
        """The prompts waiting to be spoken, as text; `pending` emptied."""
        verbs = []
        for command in pending:
            if isinstance(command, c.Say):
                text = render(
                    self._flow(command.flow), command.prompt, command.language, command.params
                )
                attributes = {
                    "language": command.language,
                    "voice": self._voices.get(command.language),
                }
                verbs.append(x.element("Say", text, attributes))
            elif isinstance(command, c.Tone):
                verbs.append(x.element("Play", urls.url(TONE)))
            else:
                verbs.append(x.element("Play", command.url))
        pending.clear()
        return "".join(verbs)

    def say(self, target: Verb, command: c.Say) -> None:
        """One prompt, in its language and voice."""
        text = render(self._flow(command.flow), command.prompt, command.language, command.params)
        voice = self._voices.get(command.language)
        if voice:
            target.say(text, language=command.language, voice=voice)
        else:
            target.say(text, language=command.language)

    def _flush(self, target: Verb, pending: list[c.Say | c.Tone | c.Play], urls: TwimlUrls) -> None:
        for command in pending:
            if isinstance(command, c.Say):
                self.say(target, command)
            elif isinstance(command, c.Tone):
                target.play(urls.url(TONE))
            else:
                target.play(command.url)
        pending.clear()

    @staticmethod
    def enqueue(response: VoiceResponse, queue: str, urls: TwimlUrls) -> VoiceResponse:
        """Wait in the queue `queue`: Twilio asks the wait URL what to play, and posts the
        queue's result when the caller leaves it."""
        attributes = _enqueue_attributes(urls)
        response.enqueue(
            queue,
            action=attributes["action"],
            method="POST",
            wait_url=attributes["waitUrl"],
            wait_url_method="POST",
        )
        return response


def _enqueue_attributes(urls: TwimlUrls) -> dict[str, x.Value]:
    return {
        "action": urls.url(QUEUE_RESULT),
        "method": "POST",
        "waitUrl": urls.url(WAIT),
        "waitUrlMethod": "POST",
    }


HANGUP = x.document(x.element("Hangup"))


def hangup() -> str:
    """A document that ends the call."""
    return HANGUP


def _gather(response: VoiceResponse, command: c.Gather, action: str) -> Gather:
    return response.gather(**_gather_attributes(command, action))


def _gather_attributes(command: c.Gather, action: str) -> dict[str, x.Value]:
    """A Gather's attributes, by their TwiML names."""
    common: dict[str, x.Value] = {
        "action": action,
        "method": "POST",
        "timeout": command.timeout,
        "actionOnEmptyResult": True,
    }
    if command.mode is c.InputMode.SPEECH:
        hints = ",".join(command.hints) or None
        return common | {"input": "speech", "language": command.language, "hints": hints}
    fixed = command.min_digits == command.max_digits
    digits = command.max_digits if fixed else None
    return common | {"input": "dtmf", "numDigits": digits, "finishOnKey": command.finish_on_key}
