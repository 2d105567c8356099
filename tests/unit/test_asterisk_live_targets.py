"""What the live call on Asterisk dials and names, pure: the consult's extension in
`cc-consult` (Atxfer types it as DTMF: digits only), a supervisor's device as a Dial string,
the recording's file, and the stable codes of Asterisk's refusals (its recorded words)."""

from __future__ import annotations

import pytest

from agents.ports import AgentInfo
from callcenter.telephony.asterisk.bridge import dial_string
from callcenter.telephony.asterisk.live import consult_exten, recording_file
from callcenter.telephony.asterisk.live_ami import error_code


def agent(kind: str, address: str) -> AgentInfo:
    return AgentInfo(7, "a7", "Agent 7", kind, address, frozenset(), {}, {})


@pytest.mark.parametrize(
    ("kind", "address", "exten"),
    [
        ("sip", "1002", "1002"),
        ("sip", "PJSIP/1002", "1002"),
        ("sip", "alice", None),  # not typeable as DTMF
        ("phone", "+8613900139000", "008613900139000"),
        ("phone", "", None),
        ("twilio_client", "agent-7", None),
    ],
)
def test_the_consulted_agents_extension(kind: str, address: str, exten: str | None) -> None:
    assert consult_exten(agent(kind, address)) == exten


@pytest.mark.parametrize(
    ("kind", "address", "dial"),
    [
        ("sip", "9001", "PJSIP/9001"),
        ("sip", "PJSIP/9001", "PJSIP/9001"),
        ("phone", "+8613900139000", "Local/8613900139000@campaign-out"),
        ("webrtc", "9001", "PJSIP/9001"),  # the desk's WebRTC softphone: a PJSIP endpoint
        ("sip", " ", None),
    ],
)
def test_a_devices_dial_string(kind: str, address: str, dial: str | None) -> None:
    assert dial_string(kind, address) == dial


@pytest.mark.parametrize(
    ("directory", "path"),
    [
        ("/var/spool/asterisk/monitor", "/var/spool/asterisk/monitor/call-c1.wav"),
        ("/srv/rec/", "/srv/rec/call-c1.wav"),
        ("", "/var/spool/asterisk/monitor/call-c1.wav"),
    ],
)
def test_the_recording_is_named_for_the_call(directory: str, path: str) -> None:
    assert recording_file(directory, "c1") == path


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("No such channel", "channel-gone"),
        ("Channel specified does not exist", "channel-gone"),
        ("Channel does not exist: Local/agent9@live-agents-ffffffff;1", "channel-gone"),
        ("Channel1 does not exist: Local/agent9@live-agents-ffffffff;1", "channel-gone"),
        ("Channel not found", "channel-gone"),
        ("Transfer invalid", "transfer-invalid"),
        ("No attended transfer feature code found", "feature-not-configured"),
        ("Could not stop monitoring channel", "live-control-failed"),
        ("No direction specified. Must be read, write or both", "live-control-failed"),
    ],
)
def test_asterisks_refusals_map_to_stable_codes(message: str, code: str) -> None:
    assert error_code(message) == code
