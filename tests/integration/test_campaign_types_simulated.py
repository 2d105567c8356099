"""Every campaign type run end to end on the simulated gateway (the embedded default), as
`callcenter campaign run` does it: created, started, dialled until nothing more can be
placed now; every target gets a final result or a scheduled retry, and every placed call is
an outbound call record that is over."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import CallQuery, Direction
from callcenter.core.audit import Editor
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND
from outbound.arrears_service import StepName
from outbound.models import (
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.conftest import NOW, app_settings, on_real_stores_only_for
from tests.integration.outbound_helpers import Town, town

Client = TestClient[web.Request, web.Application]
T, Q = CampaignType, TargetQueryKind


def _query(t: Town, kind: CampaignType) -> TargetQuery:
    if kind in (T.OUTAGE_NOTICE, T.ETR_UPDATE, T.RESTORATION_NOTICE):
        return TargetQuery(Q.OUTAGE, str(t.outage_id))
    if kind in (T.LOW_BALANCE, T.ZERO_BALANCE):
        return TargetQuery(Q.BALANCE_BELOW, "20")
    if kind is T.SATISFACTION_CALLBACK:
        return TargetQuery(Q.TICKET, str(t.ticket_id))
    if kind is T.BILL_REMINDER:
        return TargetQuery(Q.BILLS_DUE, "3")
    return TargetQuery(Q.ARREARS_OVER, "30")


@pytest.mark.parametrize("kind", list(CampaignType))
async def test_every_campaign_type_runs_on_the_simulated_gateway(
    stores: tuple[str, str],
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    kind: CampaignType,
) -> None:
    on_real_stores_only_for(stores, kind in (T.OUTAGE_NOTICE, T.DISCONNECTION_NOTICE))
    clock = ManualClock(NOW)
    settings = app_settings(stores, CALLCENTER_OUTBOUND__SIMULATED_RING_SECONDS="0")
    client = await aiohttp_client(create_app(settings, clock=clock))
    outbound = client.app[OUTBOUND]
    place = await town(client.app[ENGINE])
    zhang = place.accounts["3300000001"]
    if kind in (T.DISCONNECTION_NOTICE, T.RE_NOTICE):  # in step of the arrears procedure
        assert outbound.arrears is not None
        await outbound.arrears.step(zhang, StepName.REMINDED, Editor("operator", 1))
        await outbound.arrears.step(zhang, StepName.APPROVED, Editor("supervisor", 2))
        if kind is T.RE_NOTICE:
            cut = NOW + timedelta(days=4)
            await outbound.arrears.step(
                zhang, StepName.NOTICE_DELIVERED, Editor("operator", 1), cut_at=cut
            )
            clock.set(cut - timedelta(hours=1))
    new = NewCampaign(kind.value, kind, GatewayKind.SIMULATED, _query(place, kind))
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)

    report = await outbound.drive(campaign_id, until_idle=True)

    assert report.stopped in ("idle", "completed")
    counts = await outbound.stores.attempts.counts(campaign_id, clock.now())
    assert counts.targets >= 1 and report.placed >= 1
    assert not any(counts.waiting.get(k) for k in ("due", "claimed", "sending", "placed"))
    placed = outbound.gateways.simulated.calls
    assert len({c.key for c in placed}) == len(placed) == report.placed
    await outbound.gateways.simulated.settle()
    records, total = await client.app[CALLS].search(CallQuery(direction=Direction.OUTBOUND))
    assert total == len(placed) and all(r.is_over for r in records)
