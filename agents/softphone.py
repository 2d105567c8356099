"""The agent's softphone: a short-lived voice access token for a Twilio Voice SDK device in
the desk, whose identity is the agent's device address (`twilio_client:<identity>`). The
desk asks for a new one before the old one expires."""

from __future__ import annotations

from agents.models import VoiceToken
from agents.ports import AgentInfo, VoiceTokens
from callcenter.core.errors import ConflictError

TWILIO_CLIENT = "twilio_client"


class SoftphoneNotConfiguredError(ConflictError):
    """No voice tokens without an API key, its secret and a TwiML App."""

    default_code = "softphone-not-configured"


class NotATwilioClientError(ConflictError):
    """The agent's device is a SIP endpoint or a phone: nothing registers with a token."""

    default_code = "device-not-twilio-client"


class Softphones:
    """Voice tokens for agents whose device is a Twilio Client identity."""

    def __init__(self, tokens: VoiceTokens | None) -> None:
        self._tokens = tokens

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
