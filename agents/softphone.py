"""The agent's softphone: which kind the desk runs for the agent's device, and a short-lived
voice access token for a Twilio Voice SDK device in the desk, whose identity is the agent's
device address (`twilio_client:<identity>`). The desk asks for a new one before the old one
expires. A `webrtc:<endpoint>` device is a JsSIP user agent in the desk registering to
Asterisk's WSS transport as `sip:<endpoint>@<domain>`; `sip` and `phone` devices ring
elsewhere, as they always did."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agents.models import VoiceToken
from agents.ports import AgentInfo, VoiceTokens
from callcenter.core.errors import ConflictError

TWILIO_CLIENT = "twilio_client"
WEBRTC = "webrtc"


class PhoneKind(StrEnum):
    """What the desk runs for the agent's device."""

    TWILIO = "twilio"  # the Twilio Voice SDK in the page
    WEBRTC = "webrtc"  # JsSIP in the page, registered to Asterisk over WSS
    SIP = "sip"  # a SIP phone of its own: nothing in the page
    PHONE = "phone"  # a phone number: nothing in the page


KINDS = {TWILIO_CLIENT: PhoneKind.TWILIO, WEBRTC: PhoneKind.WEBRTC, "sip": PhoneKind.SIP}


@dataclass(frozen=True, slots=True)
class WebRtcSettings:
    """Where the desk's WebRTC softphone registers: PJSIP's WSS transport and the SIP domain
    (both empty: not configured)."""

    ws_url: str = ""
    domain: str = ""


@dataclass(frozen=True, slots=True)
class Softphone:
    """The agent's softphone as the desk needs it: its kind, whether the server is set up for
    it, and what the adapter registers with (Twilio identity; WebSocket URL and SIP URI)."""

    kind: PhoneKind
    device_address: str
    configured: bool
    identity: str | None = None
    ws_url: str | None = None
    sip_uri: str | None = None


class SoftphoneNotConfiguredError(ConflictError):
    """No voice tokens without an API key, its secret and a TwiML App."""

    default_code = "softphone-not-configured"


class NotATwilioClientError(ConflictError):
    """The agent's device is a SIP endpoint or a phone: nothing registers with a token."""

    default_code = "device-not-twilio-client"


class Softphones:
    """Voice tokens for agents whose device is a Twilio Client identity."""

    def __init__(self, tokens: VoiceTokens | None, webrtc: WebRtcSettings | None = None) -> None:
        self._tokens = tokens
        self._webrtc = webrtc or WebRtcSettings()

    def describe(self, agent: AgentInfo) -> Softphone:
        """The agent's softphone: kind (from the device) and what its adapter needs."""
        kind = KINDS.get(agent.device_kind, PhoneKind.PHONE)
        address = agent.device_address
        if kind is PhoneKind.TWILIO:
            return Softphone(kind, address, self._tokens is not None, identity=address)
        if kind is PhoneKind.WEBRTC:
            web = self._webrtc
            ready = bool(web.ws_url and web.domain)
            uri = f"sip:{address}@{web.domain}" if web.domain else None
            return Softphone(kind, address, ready, ws_url=web.ws_url or None, sip_uri=uri)
        return Softphone(kind, address, True)

    def token_for(self, agent: AgentInfo) -> VoiceToken:
        """A fresh token for the agent's device."""
        if self._tokens is None:
            raise SoftphoneNotConfiguredError(
                "the softphone needs TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET "
                "and TWILIO_TWIML_APP_SID in the server's environment"
            )
        if agent.device_kind != TWILIO_CLIENT:
            raise NotATwilioClientError(
                f"your device is {agent.device_kind}:{agent.device_address}; a voice token "
                "is for a twilio_client device"
            )
        return self._tokens.issue(agent.device_address)
