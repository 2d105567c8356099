"""A campaign's pacing for the console (`GET /api/campaigns/{id}/pacing`): its mode and the
pacing in force (a predictive campaign near its abandon cap paces as progressive, and says
why), the abandon rate against the cap over the pack's window, the ready agents of its queue
and its calls in flight."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from callcenter.campaigns.attempts_http import READERS, TAG
from callcenter.campaigns.runtime import Outbound
from callcenter.core.api import endpoint
from callcenter.core.clock import Clock
from callcenter.httpkit import path_int, respond
from outbound.assisted import AgentSeats, has_agents, queue_of
from outbound.dialer import IN_FLIGHT
from outbound.models import CampaignMode


class PacingOut(BaseModel):
    """Where a campaign's pacing stands now."""

    campaign_id: int
    mode: str
    pacing: str  # the mode pacing runs in now (a predictive campaign may run progressive)
    reason: str | None  # why pacing is not the campaign's own mode
    abandon_rate: float  # abandoned / live-answered calls in the pack's window
    abandon_cap: float
    near_cap: bool
    queue: str | None  # the agent queue (agent-assisted modes)
    ready_agents: int | None
    in_flight: int


class PacingHttp:
    """The pacing route."""

    def __init__(self, outbound: Outbound, seats: AgentSeats, clock: Clock) -> None:
        self._out = outbound
        self._seats = seats
        self._clock = clock

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_get("/api/campaigns/{campaign_id}/pacing", self.pacing)

    @endpoint(
        "A campaign's pacing: the mode in force, the abandon rate against its cap, agents",
        roles=READERS,
        response=PacingOut,
        errors=("invalid-id", "no-such-campaign", "gateway-not-configured"),
        tag=TAG,
    )
    async def pacing(self, request: web.Request) -> web.Response:
        campaign_id = path_int(request, "campaign_id")
        campaign = (await self._out.campaigns.get(campaign_id)).campaign
        dialer = await self._out.dialer(campaign_id)
        now = self._clock.now()
        waiting = await dialer.waiting(now)
        pacer = dialer.pacer
        cap = await pacer.cap(campaign_id, now) if pacer is not None else None
        agents = has_agents(campaign) or campaign.mode is CampaignMode.PRESS_1
        queue = queue_of(campaign) if agents else None
        pacing, reason = campaign.mode.value, None
        if campaign.mode is CampaignMode.PREDICTIVE and cap is not None and cap.near_cap:
            pacing, reason = "progressive", cap.reason
        return respond(
            PacingOut(
                campaign_id=campaign_id,
                mode=campaign.mode.value,
                pacing=pacing,
                reason=reason,
                abandon_rate=cap.rate if cap else 0.0,
                abandon_cap=cap.cap if cap else self._out.rules.predictive.abandon_cap,
                near_cap=bool(cap and cap.near_cap),
                queue=queue,
                ready_agents=await self._seats.ready(queue) if queue else None,
                in_flight=sum(waiting.get(k, 0) for k in IN_FLIGHT),
            )
        )
