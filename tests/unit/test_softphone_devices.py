"""The `webrtc` device kind (the desk's WebRTC softphone): administrators can give it, it is a
PJSIP endpoint that Asterisk dials like a SIP one, and the desk is told it runs JsSIP for it;
SIP and phone devices stay as they were."""

from __future__ import annotations

import pytest

from agents.admin import rules
from agents.admin.models import Device, DeviceKind
from agents.ports import AgentInfo
from agents.softphone import PhoneKind, Softphone, Softphones, WebRtcSettings
from callcenter.core.errors import InvalidInputError
from callcenter.telephony.asterisk.bridge import dial_target

WEB = WebRtcSettings("wss://pbx.example.net:8089/ws", "pbx.example.net")


def agent(kind: str, address: str) -> AgentInfo:
    return AgentInfo(7, "agent07", "Agent 7", kind, address, frozenset({"zh-CN"}), {}, {})


def test_a_webrtc_device_is_parsed() -> None:
    assert rules.parse_device("webrtc:2001") == Device(DeviceKind.WEBRTC, "2001")


@pytest.mark.parametrize("text", ["webrtc:", "webrtc:has space", "webrtc:2001@pbx", "webrtc:<b>"])
def test_bad_webrtc_devices_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        rules.parse_device(text)
    assert err.value.code == "invalid-device"


@pytest.mark.parametrize(
    ("kind", "address", "target"),
    [
        ("webrtc", "2001", "PJSIP/2001"),
        ("sip", "1001", "PJSIP/1001"),
        ("sip", "PJSIP/1001", "PJSIP/1001"),
        ("phone", "+8613800138000", "Local/8613800138000@campaign-out"),
        ("twilio_client", "a7", None),
    ],
)
def test_asterisk_dials_a_webrtc_softphone_as_a_pjsip_endpoint(
    kind: str, address: str, target: str | None
) -> None:
    assert dial_target(agent(kind, address)) == target


@pytest.mark.parametrize(
    ("web", "kind", "address", "expected"),
    [
        (WEB, "twilio_client", "a7", Softphone(PhoneKind.TWILIO, "a7", False, identity="a7")),
        (
            WEB,
            "webrtc",
            "2001",
            Softphone(
                PhoneKind.WEBRTC,
                "2001",
                True,
                ws_url="wss://pbx.example.net:8089/ws",
                sip_uri="sip:2001@pbx.example.net",
            ),
        ),
        (None, "webrtc", "2001", Softphone(PhoneKind.WEBRTC, "2001", False)),
        (
            WebRtcSettings(domain="pbx"),
            "webrtc",
            "9",
            Softphone(PhoneKind.WEBRTC, "9", False, sip_uri="sip:9@pbx"),
        ),
        (WEB, "sip", "1001", Softphone(PhoneKind.SIP, "1001", True)),
        (WEB, "phone", "+8613800138000", Softphone(PhoneKind.PHONE, "+8613800138000", True)),
    ],
)
def test_the_desk_is_told_which_softphone_to_run(
    web: WebRtcSettings | None, kind: str, address: str, expected: Softphone
) -> None:
    assert Softphones(None, web).describe(agent(kind, address)) == expected
