"""Texts of notice campaigns created with `sms`, on the SQL stores: each target gets one
text in its language, never a second (however many rounds, or a second instance), none to an
opted-out number; on the simulated gateway's ledger, on Twilio Messages (the local fake,
with its failures), and sent by the runtime between dialing rounds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.runtime import Outbound
from callcenter.campaigns.texting import SimulatedTexts
from callcenter.campaigns.wiring import OutboundStores
from callcenter.config import OutboundSettings, Settings
from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.storage.campaign_texts import SqlTextStore
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.campaigns import CampaignService
from outbound.models import (
    Campaign,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from outbound.texts.models import TextState
from outbound.texts.ports import TextSender
from outbound.texts.service import NO_TEXT_GATEWAY, CampaignTexts
from outbound.texts.templates import TextTemplates
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, Failure, FakeTwilio
from tests.integration.outbound_helpers import town

ZHANG, LI, SHOP = "+8613800000001", "+8613800000002", "+8613800000004"
HOTLINE = "+861095598"
Server = Callable[[web.Application], Awaitable[TestServer]]


@dataclass
class Rig:
    engine: AsyncEngine
    stores: OutboundStores
    service: CampaignService
    store: SqlTextStore
    clock: ManualClock

    def texts(self, sender: TextSender | None) -> CampaignTexts:
        return CampaignTexts(
            self.store,
            self.stores.opt_outs,
            TextTemplates.load("Asia/Shanghai"),
            lambda _kind: sender,
            HOTLINE,
            self.clock,
            per_round=2,
        )

    async def notice(self, gateway: GatewayKind, *, sms: bool = True) -> Campaign:
        outage_id = (await town(self.engine)).outage_id
        query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
        new = NewCampaign("停电通知", CampaignType.OUTAGE_NOTICE, gateway, query, sms=sms)
        campaign_id = (await self.service.create(new)).campaign.id
        return (await self.service.start(campaign_id)).campaign

    async def by_phone(self, campaign_id: int) -> dict[str, tuple[TextState, str | None]]:
        return {t.phone: (t.state, t.reason) for t in await self.store.texts(campaign_id)}


@pytest.fixture
def r(engine: AsyncEngine, clock: ManualClock) -> Rig:
    stores = OutboundStores.on(engine, CN_SGCC, "Asia/Shanghai")
    service = stores.campaign_service(CN_SGCC, clock)
    return Rig(engine, stores, service, SqlTextStore(engine), clock)


async def until_done(texts: CampaignTexts, campaign: Campaign) -> None:
    for _ in range(5):
        await texts.round(campaign)


async def test_each_target_gets_one_text_and_opted_out_numbers_none(r: Rig) -> None:
    campaign = await r.notice(GatewayKind.SIMULATED)
    await r.stores.opt_outs.add(LI, r.clock.now(), "keypress", None)
    ledger = SimulatedTexts(r.clock)
    texts = r.texts(ledger)
    first = await texts.round(campaign)  # two a round
    assert (first.sent, first.refused) == (1, 1)
    await until_done(texts, campaign)
    await until_done(r.texts(ledger), campaign)  # another instance: nothing twice
    assert sorted(t.to for t in ledger.sent) == [ZHANG, SHOP]
    assert all(t.from_ == HOTLINE for t in ledger.sent)
    assert await r.by_phone(campaign.id) == {
        ZHANG: (TextState.SENT, None),
        LI: (TextState.REFUSED, "opted-out"),
        SHOP: (TextState.SENT, None),
    }
    [zhang] = [t for t in ledger.sent if t.to == ZHANG]
    assert "尾号0001" in zhang.body and "文三路沿线" in zhang.body
    assert "12:00" in zhang.body  # the ETR in Beijing time


async def test_campaigns_without_sms_or_not_running_text_nobody(r: Rig) -> None:
    ledger = SimulatedTexts(r.clock)
    quiet = await r.notice(GatewayKind.SIMULATED, sms=False)
    await until_done(r.texts(ledger), quiet)
    paused = (await r.service.pause(quiet.id)).campaign
    await until_done(r.texts(ledger), replace(paused, sms=True))
    assert ledger.sent == [] and await r.store.texts(quiet.id) == []


async def test_a_gateway_that_cannot_text_records_the_failure(r: Rig) -> None:
    campaign = await r.notice(GatewayKind.ASTERISK)
    await until_done(r.texts(None), campaign)
    states = await r.by_phone(campaign.id)
    assert set(states.values()) == {(TextState.FAILED, NO_TEXT_GATEWAY)}


@pytest.fixture
async def twilio(
    clock: ManualClock, aiohttp_server: Server
) -> AsyncIterator[tuple[FakeTwilio, TwilioGateway]]:
    fake = FakeTwilio(clock=clock)
    url = str((await aiohttp_server(fake.app())).make_url(""))
    config = TwilioOutboundConfig(
        ACCOUNT_SID, AUTH_TOKEN, "https://cc.example.com", api_base_url=url, calls_per_second=0
    )
    gateway = TwilioGateway(config)
    await gateway.open()
    yield fake, gateway
    await gateway.close()


async def test_texts_go_through_twilio_messages_once_each(
    r: Rig, twilio: tuple[FakeTwilio, TwilioGateway]
) -> None:
    fake, gateway = twilio
    campaign = await r.notice(GatewayKind.TWILIO)
    fake.fail_next(Failure.RATE_LIMITED, Failure.ERROR_AFTER)
    texts = r.texts(gateway)
    first = await texts.round(campaign)
    assert (first.later, first.failed) == (1, 1)  # 429: tried again; 500 after: never again
    await until_done(texts, campaign)
    states = await r.by_phone(campaign.id)
    assert states == {
        ZHANG: (TextState.SENT, None),
        LI: (TextState.FAILED, "gateway-error"),
        SHOP: (TextState.SENT, None),
    }
    by_number: dict[str, int] = {}
    for message in fake.messages:
        by_number[message["To"]] = by_number.get(message["To"], 0) + 1
        assert message["From"] == HOTLINE and "95598" in message["Body"]
    assert by_number == {ZHANG: 1, LI: 1, SHOP: 1}  # LI's was created behind the 500
    sids = {t.phone: t.provider_id for t in await r.store.texts(campaign.id)}
    assert (sids[ZHANG] or "").startswith("SM")


async def test_the_runtime_texts_between_dialing_rounds(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    settings = Settings(outbound=OutboundSettings(simulated_ring_seconds=0))

    async def tick(_seconds: float) -> None:
        await asyncio.sleep(0)

    outbound = Outbound(settings, engine, CN_SGCC, clock, sleep=tick)
    outage_id = (await town(engine)).outage_id
    query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
    new = NewCampaign(
        "停电通知", CampaignType.OUTAGE_NOTICE, GatewayKind.SIMULATED, query, sms=True
    )
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    try:
        await outbound.drive(campaign_id, until_idle=True)
    finally:
        await outbound.gateways.close()
    assert sorted(t.to for t in outbound.text_senders.simulated.sent) == [ZHANG, LI, SHOP]
