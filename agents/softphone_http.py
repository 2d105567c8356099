"""The desk's softphone routes: which softphone the agent has (`GET /api/agents/me/softphone`),
its voice token (`GET /api/agents/me/voice-token`) and its readiness
(`PUT /api/agents/me/device`)."""

from __future__ import annotations

from aiohttp import web

from agents.center import Acd
from agents.device import DeviceReadiness, parse_report
from agents.http import AGENT, me, presence_out
from agents.schemas import VoiceTokenOut
from agents.softphone import Softphones
from agents.softphone_schemas import DeviceIn, DeviceOut, SoftphoneOut
from callcenter.core.api import endpoint
from callcenter.httpkit import parse_body, respond


class SoftphoneHttp:
    """The softphone's routes."""

    def __init__(self, acd: Acd, softphones: Softphones) -> None:
        self._acd = acd
        self._softphones = softphones
        self._readiness = DeviceReadiness(acd)

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_get("/api/agents/me/voice-token", self.voice_token)
        app.router.add_get("/api/agents/me/softphone", self.softphone)
        app.router.add_put("/api/agents/me/device", self.device)

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

    @endpoint(
        "The calling agent's softphone: its kind (twilio, webrtc, sip, phone) and what the "
        "desk registers it with",
        roles=AGENT,
        response=SoftphoneOut,
        errors=("not-an-agent",),
        tag="agents",
    )
    async def softphone(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._acd, request)
        phone = self._softphones.describe(self._acd.agent(agent_id))
        return respond(
            SoftphoneOut(
                kind=phone.kind.value,
                device_address=phone.device_address,
                configured=phone.configured,
                identity=phone.identity,
                ws_url=phone.ws_url,
                sip_uri=phone.sip_uri,
            )
        )

    @endpoint(
        "The desk's softphone is ready, or failed (with its problem): a failed one makes a "
        "ready or ringing agent not ready (reason device); ready again changes no state",
        roles=AGENT,
        body=DeviceIn,
        response=DeviceOut,
        errors=("not-an-agent", "invalid-body", "invalid-device-report"),
        tag="agents",
    )
    async def device(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._acd, request)
        body = await parse_body(DeviceIn, request)
        report = parse_report(body.status, body.problem)
        presence, changed = await self._readiness.report(agent_id, report)
        return respond(
            DeviceOut(
                status=report.status.value,
                problem=report.problem.value if report.problem else None,
                made_not_ready=changed,
                presence=presence_out(agent_id, presence),
            )
        )
