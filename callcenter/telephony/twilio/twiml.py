"""Engine commands to TwiML, built with the `twilio` library. Every URL in it is absolute,
from the public base URL (a path prefix kept), so TwiML sent through the REST API works too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

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
        response.enqueue(
            queue,
            action=urls.url(QUEUE_RESULT),
            method="POST",
            wait_url=urls.url(WAIT),
            wait_url_method="POST",
        )
        return response


def hangup() -> str:
    """A document that ends the call."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


def _gather(response: VoiceResponse, command: c.Gather, action: str) -> Gather:
    if command.mode is c.InputMode.SPEECH:
        return response.gather(
            input="speech",
            action=action,
            method="POST",
            timeout=command.timeout,
            language=command.language,
            action_on_empty_result=True,
            hints=",".join(command.hints) or None,
        )
    fixed = command.min_digits == command.max_digits
    return response.gather(
        input="dtmf",
        action=action,
        method="POST",
        timeout=command.timeout,
        num_digits=command.max_digits if fixed else None,
        finish_on_key=command.finish_on_key,
        action_on_empty_result=True,
    )
