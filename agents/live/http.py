"""Thin handlers of the live call: the agent's `/api/agents/me/call/...` commands and the
supervisors' `POST /api/calls/{call_id}/monitor`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from agents.center import Acd
from agents.http import AGENT, SUPERVISORS, me
from agents.live.center import Change, LiveCenter
from agents.live.models import Device, MonitorMode
from agents.live.schemas import ConsultIn, LiveOut, MonitorIn, MonitorOut
from agents.live.service import live_json
from agents.roster import NoSuchAgentError
from callcenter.core.api import Principal, endpoint
from callcenter.core.errors import ConflictError, ForbiddenError
from callcenter.httpkit import PRINCIPAL, editor_of, parse_body, respond

COMMON = ("not-an-agent", "no-call", "live-control-unavailable", "live-control-failed")
Command = Callable[[int], Awaitable[Change]]


def live_out(change: Change) -> LiveOut:
    return LiveOut.model_validate(live_json(*change))


class LiveHttp:
    """The live-call routes."""

    def __init__(self, acd: Acd) -> None:
        self._acd = acd
        self._live: LiveCenter = acd.live

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        r = app.router
        r.add_get("/api/agents/me/call", self.my_call)
        r.add_post("/api/agents/me/call/hold", self.hold_call)
        r.add_post("/api/agents/me/call/resume", self.resume_call)
        r.add_post("/api/agents/me/call/consult", self.consult_agent)
        r.add_post("/api/agents/me/call/consult/complete", self.complete_consult)
        r.add_post("/api/agents/me/call/consult/cancel", self.cancel_consult)
        r.add_post("/api/agents/me/call/consult/conference", self.start_conference)
        r.add_post("/api/agents/me/call/recording/pause", self.pause_recording)
        r.add_post("/api/agents/me/call/recording/resume", self.resume_recording)
        r.add_post("/api/calls/{call_id}/monitor", self.monitor_call)

    async def _run(self, request: web.Request, command: Command) -> web.Response:
        agent_id, _ = me(self._acd, request)
        return respond(live_out(await command(agent_id)))

    @endpoint(
        "The calling agent's call now", roles=AGENT, response=LiveOut, errors=COMMON, tag="live"
    )
    async def my_call(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.current)

    @endpoint(
        "Put the caller on hold (music)",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "already-on-hold", "consult-in-progress", "conference-not-ready"),
        tag="live",
    )
    async def hold_call(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.hold)

    @endpoint(
        "Take the caller off hold",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "not-on-hold", "consult-in-progress"),
        tag="live",
    )
    async def resume_call(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.resume)

    @endpoint(
        "Consult an agent, or a queue's next ready agent, with the caller on hold",
        roles=AGENT,
        body=ConsultIn,
        response=LiveOut,
        errors=(
            *COMMON,
            "invalid-body",
            "invalid-consult",
            "no-such-queue",
            "no-such-agent",
            "consult-in-progress",
            "consult-target-not-ready",
        ),
        tag="live",
    )
    async def consult_agent(self, request: web.Request) -> web.Response:
        body = await parse_body(ConsultIn, request)

        async def command(agent_id: int) -> Change:
            return await self._live.consult(agent_id, to_agent=body.agent_id, queue=body.queue)

        return await self._run(request, command)

    @endpoint(
        "Hand the call to the consulted agent (you go to wrap-up)",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "no-consult", "consult-not-answered"),
        tag="live",
    )
    async def complete_consult(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.complete_consult)

    @endpoint(
        "End the consultation; the caller stays on hold with you",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "no-consult"),
        tag="live",
    )
    async def cancel_consult(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.cancel_consult)

    @endpoint(
        "Talk all three: the caller, you and the consulted agent",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "no-consult", "consult-not-answered"),
        tag="live",
    )
    async def start_conference(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.conference)

    @endpoint(
        "Pause the recording (payment details)",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "not-recording", "conference-not-ready"),
        tag="live",
    )
    async def pause_recording(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.pause_recording)

    @endpoint(
        "Resume the paused recording",
        roles=AGENT,
        response=LiveOut,
        errors=(*COMMON, "not-recording"),
        tag="live",
    )
    async def resume_recording(self, request: web.Request) -> web.Response:
        return await self._run(request, self._live.resume_recording)

    @endpoint(
        "Listen to, whisper to (coach the agent) or barge in on a live call; audited",
        roles=SUPERVISORS,
        body=MonitorIn,
        response=MonitorOut,
        errors=(
            "invalid-body",
            "not-a-person",
            "no-live-call",
            "no-supervisor-device",
            "live-control-unavailable",
            "live-control-failed",
        ),
        tag="live",
    )
    async def monitor_call(self, request: web.Request) -> web.Response:
        body = await parse_body(MonitorIn, request)
        principal: Principal = request[PRINCIPAL]
        if principal.user_id is None:
            raise ForbiddenError("monitoring is for signed-in supervisors", code="not-a-person")
        call_id = request.match_info["call_id"]
        device = self._device(principal.user_id, body)
        mode, editor = MonitorMode(body.mode), editor_of(request)
        watch = await self._live.monitor(call_id, principal.user_id, mode, device, editor)
        out = MonitorOut(call_id=call_id, mode=watch.mode.value, leg=watch.leg)
        return respond(out, status=201)

    def _device(self, user_id: int, body: MonitorIn) -> Device:
        """The device given, else the supervisor's own agent device."""
        if body.device_kind and body.device_address:
            return Device(body.device_kind, body.device_address)
        try:
            return Device.of(self._acd.agent(user_id))
        except NoSuchAgentError:
            raise ConflictError(
                "give device_kind and device_address: you have no agent device",
                code="no-supervisor-device",
            ) from None
