"""`/twilio/softphone`: the Voice URL of the TwiML App the desk's Twilio softphones use
(`TWILIO_TWIML_APP_SID`). A device's own outgoing call (an agent calling a customer back)
comes here, signed like every webhook: from an enabled agent's `client:` identity, to a
phone number, it is dialled with the hotline's caller id; anything else is told so and
hung up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from agents.ports import AgentInfo
from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import mask, normalise_phone

log = logging.getLogger(__name__)
SOFTPHONE = "/twilio/softphone"
REFUSED = "This device may not place calls."
BAD_NUMBER = "The number dialled is not a phone number."


def _said(text: str) -> web.Response:
    response = VoiceResponse()
    response.say(text, language="en-US")
    response.hangup()
    return web.Response(text=str(response), content_type="application/xml")


class SoftphoneCalls:
    """The TwiML App's Voice URL."""

    def __init__(
        self, agents: Callable[[], list[AgentInfo]], caller_id: str, ring_seconds: int = 30
    ) -> None:
        self._agents = agents
        self._caller_id = caller_id
        self._ring_seconds = ring_seconds

    def _agent(self, source: str) -> AgentInfo | None:
        if not source.startswith("client:"):
            return None
        identity = source.removeprefix("client:")
        for agent in self._agents():
            device = agent.device_address.removeprefix("client:")
            if agent.enabled and agent.device_kind == "twilio_client" and device == identity:
                return agent
        return None

    async def outgoing(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        agent = (
            self._agent(params.get("From", ""))
            if params.get("From", "").startswith("client:")
            else None
        )
        if agent is None:
            log.warning("softphone call from %r refused: not an agent's device", params.get("From"))
            return _said(REFUSED)
        try:
            number = normalise_phone(params.get("To", ""))
        except InvalidInputError:
            return _said(BAD_NUMBER)
        log.info("agent %d calls %s from the desk", agent.agent_id, mask(number))
        response = VoiceResponse()
        response.dial(number, caller_id=self._caller_id, timeout=self._ring_seconds)
        return web.Response(text=str(response), content_type="application/xml")
