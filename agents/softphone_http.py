"""`GET /api/agents/me/voice-token`: the desk's softphone token."""

from __future__ import annotations

from aiohttp import web

from agents.center import Acd
from agents.http import AGENT, me
from agents.schemas import VoiceTokenOut
from agents.softphone import Softphones
from callcenter.core.api import endpoint
from callcenter.httpkit import respond


class SoftphoneHttp:
    """The softphone's route."""

    def __init__(self, acd: Acd, softphones: Softphones) -> None:
        self._acd = acd
        self._softphones = softphones

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_get("/api/agents/me/voice-token", self.voice_token)

    @endpoint(
        "A short-lived voice access token for the calling agent's Twilio Client device "
        "(identity: the device address); ask again before `expires_at`",
        roles=AGENT,
        response=VoiceTokenOut,
        errors=("not-an-agent", "softphone-not-configured", "device-not-twilio-client"),
        tag="agents",
    )
    async def voice_token(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._acd, request)
        issued = self._softphones.token_for(self._acd.agent(agent_id))
        body = VoiceTokenOut(
            token=issued.token, identity=issued.identity, expires_at=issued.expires_at
        )
        response = respond(body)
        response.headers["Cache-Control"] = "no-store"
        return response
