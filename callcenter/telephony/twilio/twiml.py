"""Engine commands to TwiML, built with the `twilio` library."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr_flows.models import Command, CommandKind, Flow, Session
from ivr_flows.prompts import render

C = CommandKind


@dataclass(frozen=True, slots=True)
class TwimlUrls:
    """Where Twilio sends the caller's answers (relative to the public base URL)."""

    step: str = "/twilio/step"
    queue_result: str = "/twilio/queue-result"
    wait: str = "/twilio/wait"
    dial_result: str = "/twilio/dial-result"
    agent_leg: str = "/twilio/agent-leg"
    callback: str = "/twilio/callback"


def to_twiml(
    session: Session, commands: list[Command], flow: Callable[[str], Flow], urls: TwimlUrls
) -> str:
    """One TwiML document for the commands; prompts before a Gather go inside it (barge-in)."""
    response = VoiceResponse()
    said: list[tuple[str, str]] = []
    for command in commands:
        data = command.data
        if command.kind is C.SAY:
            text = render(flow(data["flow"]), data["prompt"], data["language"], data["params"])
            said.append((text, data["language"]))
            continue
        if command.kind is C.GATHER:
            gather = _gather(response, data, session, urls)
            _flush(gather, said)
            continue
        _flush(response, said)
        if command.kind is C.PLAY:
            response.play(data["url"])
        elif command.kind is C.ENQUEUE:
            response.enqueue(
                str(data["queue"]),
                action=urls.queue_result,
                method="POST",
                wait_url=urls.wait,
                wait_url_method="POST",
            )
        elif command.kind is C.TRANSFER:
            response.dial(str(data["target"]))
        elif command.kind is C.HANGUP:
            response.hangup()
    _flush(response, said)
    return str(response)


def _flush(target: VoiceResponse | Gather, said: list[tuple[str, str]]) -> None:
    for text, language in said:
        target.say(text, language=language)
    said.clear()


def _gather(
    response: VoiceResponse, data: Mapping[str, object], session: Session, urls: TwimlUrls
) -> Gather:
    action = f"{urls.step}?seq={session.seq}"
    if data["input"] == "speech":
        return response.gather(
            input="speech",
            action=action,
            method="POST",
            timeout=data["timeout"],
            language=data["language"],
            action_on_empty_result=True,
            hints=",".join(str(h) for h in data.get("hints") or []) or None,  # type: ignore[attr-defined]
        )
    fixed = data["min_digits"] == data["max_digits"]
    return response.gather(
        input="dtmf",
        action=action,
        method="POST",
        timeout=data["timeout"],
        num_digits=data["max_digits"] if fixed else None,
        finish_on_key=data["finish_on_key"],
        action_on_empty_result=True,
    )
