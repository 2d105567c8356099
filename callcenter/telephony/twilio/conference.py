"""TwiML of the call's conference on Twilio. The caller and the agent meet in a
`<Conference>` named for the call, which is what hold, consult, coaching and barge need:

- the caller joins first, hearing hold music until the agent's leg enters
  (`startConferenceOnEnter="false"`); the caller leaving ends the conference;
- the agent's leg (a call placed to the device) starts it; the agent leaving ends it too,
  so the caller's `<Dial>` returns and the flow goes on (the survey) — until the agent
  hands the call over to the agent it consulted (`endConferenceOnExit` is changed then);
- a consulted agent joins as a plain participant; a supervisor joins muted (listen), as
  a coach of the agent's leg (whisper) or unmuted (barge), and never ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from twilio.twiml.voice_response import Dial, VoiceResponse

CONFERENCE = "/twilio/conference"  # conference status callbacks
LIVE_LEG = "/twilio/live-leg"  # status of consulted agents' and supervisors' legs
RECORDING = "/twilio/recording"  # recording status callbacks
AGENT_JOIN = "/twilio/agent-join"  # the agent's answered leg asks what to do
CONFERENCE_EVENTS = "start end join leave hold"
RECORDING_EVENTS = "in-progress completed absent"


def conference_name(call_id: str) -> str:
    """The conference of a call (unique per account while it runs)."""
    return f"cc-{call_id}"


class Role(StrEnum):
    """Who a leg in the conference is."""

    AGENT = "agent"
    CONSULT = "consult"
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


@dataclass(frozen=True, slots=True)
class CallerRoom:
    """How the caller enters the conference: where its `<Dial>` reports the end, the
    status and recording callbacks, the music, and whether the conference is recorded."""

    action: str
    status_callback: str
    recording_callback: str
    wait_url: str
    record: bool


def caller_joins(response: VoiceResponse, call_id: str, room: CallerRoom) -> VoiceResponse:
    """Append the caller's `<Dial><Conference>` to `response`."""
    dial = response.dial(action=room.action, method="POST")
    attributes = {
        "start_conference_on_enter": False,
        "end_conference_on_exit": True,
        "beep": False,
        "wait_url": room.wait_url,
        "wait_method": "GET",
        "status_callback": room.status_callback,
        "status_callback_event": CONFERENCE_EVENTS,
        "status_callback_method": "POST",
        "participant_label": "caller",
    }
    if room.record:
        attributes |= {
            "record": "record-from-start",
            "recording_status_callback": room.recording_callback,
            "recording_status_callback_event": RECORDING_EVENTS,
            "recording_status_callback_method": "POST",
        }
    dial.conference(conference_name(call_id), **attributes)
    return response


def ask_on_answer(url: str) -> str:
    """The TwiML of a placed leg: once answered, ask `url` what to do (join the call's
    conference, or hang up when the call is gone meanwhile)."""
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return str(response)


def leg_joins(call_id: str, role: Role, coach: str | None = None) -> str:
    """The TwiML a placed leg (agent, consulted agent, supervisor) runs once answered."""
    response = VoiceResponse()
    dial: Dial = response.dial()
    attributes: dict[str, object] = {"beep": False, "participant_label": role.value}
    if role is Role.AGENT:
        attributes |= {"start_conference_on_enter": True, "end_conference_on_exit": True}
    elif role is Role.CONSULT:
        attributes |= {"start_conference_on_enter": True, "end_conference_on_exit": False}
    else:  # a supervisor: never starts nor ends the call's conference
        attributes |= {"start_conference_on_enter": False, "end_conference_on_exit": False}
        if role is Role.LISTEN:
            attributes["muted"] = True
        elif role is Role.WHISPER and coach:
            attributes["coach"] = coach
    dial.conference(conference_name(call_id), **attributes)
    return str(response)
