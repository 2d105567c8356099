"""Wiring of the desk's campaign side into the app (issue 14): the campaign block of
outbound pops, the disposition routes, and `app[DESK_CAMPAIGNS]` whose
`promises.follow_up(now)` the campaign loop calls."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.dispositions_http import DeskCampaigns
from callcenter.core.clock import Clock
from callcenter.core.policy import PolicyPack
from callcenter.storage.dispositions import SqlAttemptFacts
from callcenter.web.keys import CALLS, DESK_CAMPAIGNS, ENGINE, OUTBOUND, SETTINGS
from outbound.campaign_pop import CampaignPops


def campaign_pops(engine: AsyncEngine) -> CampaignPops:
    """The campaign block of outbound pops (for the ACD's screen-pops)."""
    return CampaignPops(SqlAttemptFacts(engine))


def setup_desk_campaigns(app: web.Application, pack: PolicyPack, clock: Clock) -> DeskCampaigns:
    """`app[DESK_CAMPAIGNS]` and its routes (after `setup_outbound`: campaign calls' arrears
    steps come from `app[OUTBOUND]`)."""
    desk = DeskCampaigns(
        app[ENGINE],
        app[CALLS],
        lambda: app[OUTBOUND].arrears,
        pack,
        clock,
        app[SETTINGS].server.timezone,
    )
    app[DESK_CAMPAIGNS] = desk
    desk.setup(app)
    return desk
