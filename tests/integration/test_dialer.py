"""The dialer and the campaign use cases on the SQL stores: an outage notice run end to end
on the simulated gateway (retries per policy, refusals with their reasons), Twilio calls
created once per attempt, and the crash between sending and placing reconciled without a
second call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.clock import ManualClock
from callcenter.core.policy import CN_SGCC
from callcenter.storage.campaigns import SqlAreaSuspensions, SqlOptOuts
from callcenter.storage.contact_history import SqlContactHistory
from callcenter.storage.outage_facts import SqlOutageFacts
from callcenter.telephony.simulated import SimulatedGateway
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.campaigns import CampaignService
from outbound.dialer import Dialer, DialerPorts, DialerSettings, RoundReport
from outbound.gateway import DialRequest, Gateway, GatewayError
from outbound.models import (
    AttemptResult,
    AttemptState,
    CampaignState,
    CampaignStateError,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from outbound.pacing import PacingLimits
from outbound.rules import NoticeTooLateError
from tests.factories import AccountSpec, add_customer, add_outage
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, Failure, FakeTwilio
from tests.integration.outbound_helpers import Stores, stores, town

R = AttemptResult
RULES = CN_SGCC.outbound
HOTLINE = "+861095598"
ZHANG, LI, LI_2, SHOP = "+8613800000001", "+8613800000002", "+8613800000003", "+8613800000004"
OPEN = PacingLimits(100, 100, 100, burst=100)
Server = Callable[[web.Application], Awaitable[TestServer]]


@dataclass
class Rig:
    s: Stores
    service: CampaignService
    ports: DialerPorts
    opt_outs: SqlOptOuts
    clock: ManualClock

    def dialer(self, campaign_id: int, gateway: Gateway) -> Dialer:
        settings = DialerSettings(HOTLINE, OPEN, claimer="test")
        return Dialer(campaign_id, self.ports, gateway, RULES, settings, self.clock)


def rig(engine: AsyncEngine, clock: ManualClock) -> Rig:
    s = stores(engine)
    opt_outs = SqlOptOuts(engine)
    ports = DialerPorts(
        s.campaigns, s.attempts, SqlContactHistory(engine), opt_outs, SqlAreaSuspensions(engine)
    )
    service = CampaignService(
        s.campaigns, s.targets, s.attempts, SqlOutageFacts(engine), RULES, clock
    )
    return Rig(s, service, ports, opt_outs, clock)


def notice(query: TargetQuery, kind: GatewayKind = GatewayKind.SIMULATED) -> NewCampaign:
    return NewCampaign("停电通知", CampaignType.OUTAGE_NOTICE, kind, query)


async def outage_campaign(r: Rig, outage_id: int, kind: GatewayKind) -> int:
    query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
    record = await r.service.create(notice(query, kind))
    await r.service.start(record.campaign.id)
    return record.campaign.id


async def run_to_the_end(r: Rig, dialer: Dialer, gateway: SimulatedGateway) -> list[RoundReport]:
    """Rounds every 10 minutes until the campaign completes (at most a day of them)."""
    reports = []
    for _ in range(150):
        report = await dialer.round(r.clock.now())
        await gateway.settle()
        reports.append(report)
        if report.completed:
            return reports
        r.clock.advance(timedelta(minutes=10))
    raise AssertionError(f"the campaign did not complete: {reports[-1]}")


async def test_an_outage_notice_runs_to_the_end(engine: AsyncEngine, clock: ManualClock) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    await r.opt_outs.add(SHOP, clock.now(), "ivr", None)
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.SIMULATED)
    script = {ZHANG: [R.BUSY, R.CONFIRMED], LI: [R.NO_ANSWER], LI_2: [R.NO_ANSWER]}
    gateway = SimulatedGateway(script=script, clock=clock)
    dialer = r.dialer(campaign_id, gateway)
    gateway.bind(dialer.on_result)
    assert (await dialer.take_over(clock.now())).uncertain == 0

    reports = await run_to_the_end(r, dialer, gateway)

    status = await r.service.status(campaign_id)
    assert status.record.campaign.state is CampaignState.COMPLETED
    assert status.counts.targets == 3
    assert status.counts.results == {"busy": 1, "confirmed": 1, "no_answer": 3}
    assert status.counts.refused == {"opted-out": 1}
    assert status.counts.waiting == {}
    dialled = sorted(call.to for call in gateway.calls)
    li = next(n for n in (LI, LI_2) if n in dialled)
    assert dialled == sorted([ZHANG, ZHANG, li, li, li])  # the shop opted out: never dialled
    assert reports[0].refused == {"opted-out": 1}
    # busy retried after 10 min; no answer after 30 min, then 60 min (the pack's backoff)
    placed = {call.key: call.placed_at - gateway.calls[0].placed_at for call in gateway.calls}
    assert sorted(placed.values()) == [timedelta(0)] * 2 + [
        timedelta(minutes=10),
        timedelta(minutes=30),
        timedelta(minutes=90),
    ]


async def test_calls_wait_for_the_calling_window(engine: AsyncEngine, clock: ManualClock) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    clock.set(datetime(2026, 3, 10, 14, 0, tzinfo=UTC))  # 22:00 in Beijing
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.SIMULATED)
    gateway = SimulatedGateway(mix={R.CONFIRMED: 1.0}, clock=clock)
    dialer = r.dialer(campaign_id, gateway)
    gateway.bind(dialer.on_result)

    report = await dialer.round(clock.now())

    assert report.refused == {"outside-window": 3} and gateway.calls == []
    counts = (await r.service.status(campaign_id)).counts
    assert (counts.refused, counts.waiting) == ({"outside-window": 3}, {"retry-later": 3})
    clock.set(datetime(2026, 3, 11, 0, 0, tzinfo=UTC))  # 08:00 the next morning
    await run_to_the_end(r, dialer, gateway)
    assert len(gateway.calls) == 3
    assert (await r.service.status(campaign_id)).counts.results == {"confirmed": 3}


async def test_a_repeated_result_changes_nothing_and_stop_opts_out(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.SIMULATED)
    gateway = SimulatedGateway(script={ZHANG: [R.OPTED_OUT]}, mix={R.ANSWERED: 1.0}, clock=clock)
    dialer = r.dialer(campaign_id, gateway)
    gateway.bind(dialer.on_result)
    await dialer.round(clock.now())
    await gateway.settle()
    [zhang] = [c for c in gateway.calls if c.to == ZHANG]
    await dialer.on_result(zhang.key, R.BUSY, zhang.provider_id)  # late and contradicting

    counts = (await r.service.status(campaign_id)).counts
    assert counts.results == {"opted_out": 1, "answered": 2} and counts.waiting == {}
    assert await r.opt_outs.is_opted_out(ZHANG)


@pytest.mark.parametrize(
    ("kind", "days_ahead", "allowed"),
    [("planned", 8, True), ("planned", 2, False), ("fault", 0, True), ("temporary", 2, True)],
)
async def test_outage_notices_respect_the_lead_time(
    engine: AsyncEngine, clock: ManualClock, kind: str, days_ahead: int, allowed: bool
) -> None:
    r = rig(engine, clock)
    await add_customer(engine, "张三", [AccountSpec("3300000001", [ZHANG], "F02-001")])
    start = clock.now() + timedelta(days=days_ahead)
    outage_id = await add_outage(engine, ["F02-001"], kind=kind, start=start)
    query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
    create = r.service.create(notice(query))
    if allowed:
        assert (await create).campaign.state is CampaignState.DRAFT
    else:
        with pytest.raises(NoticeTooLateError):
            await create


async def test_important_users_need_the_temporary_lead(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = rig(engine, clock)
    await add_customer(engine, "医院", [AccountSpec("3300000009", [ZHANG], "F03-001")], grade="1")
    start = clock.now() + timedelta(hours=12)
    outage_id = await add_outage(engine, ["F03-001"], kind="temporary", start=start)
    query = TargetQuery(TargetQueryKind.OUTAGE, str(outage_id))
    assert (await SqlOutageFacts(engine).outage(outage_id)).important
    with pytest.raises(NoticeTooLateError):
        await r.service.create(notice(query))


async def test_campaign_lifecycle(engine: AsyncEngine, clock: ManualClock) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    query = TargetQuery(TargetQueryKind.OUTAGE, str(t.outage_id))
    assert (await r.service.preview(query)).count == 3
    record = await r.service.create(notice(query))
    campaign_id = record.campaign.id
    assert (await r.service.preview(campaign_id)).count == 3
    assert (await r.service.start(campaign_id)).campaign.state is CampaignState.RUNNING
    with pytest.raises(CampaignStateError):
        await r.service.start(campaign_id)
    assert await r.s.targets.count(campaign_id) == 3
    gateway = SimulatedGateway(clock=clock)
    dialer = r.dialer(campaign_id, gateway)
    await r.service.pause(campaign_id)
    assert (await dialer.round(clock.now())).skipped == "not-running"
    await r.service.resume(campaign_id)
    await r.service.cancel(campaign_id)
    assert (await dialer.round(clock.now())).skipped == "not-running"
    assert gateway.calls == []


@dataclass
class OnTwilio:
    r: Rig
    fake: FakeTwilio
    gateway: TwilioGateway
    campaign_id: int


@pytest.fixture
async def on_twilio(
    engine: AsyncEngine, clock: ManualClock, aiohttp_server: Server
) -> AsyncIterator[OnTwilio]:
    """A running outage notice of the town on Twilio (the fake REST API)."""
    r = rig(engine, clock)
    t = await town(engine)
    fake = FakeTwilio(clock=clock)
    url = str((await aiohttp_server(fake.app())).make_url(""))
    config = TwilioOutboundConfig(
        ACCOUNT_SID, AUTH_TOKEN, "https://cc.example.com", api_base_url=url, calls_per_second=0
    )
    gateway = TwilioGateway(config)
    await gateway.open()
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.TWILIO)
    yield OnTwilio(r, fake, gateway, campaign_id)
    await gateway.close()


def ledger_keys(fake: FakeTwilio) -> list[str]:
    """The attempt key each created call carries in its status callback."""
    return [
        parse_qs(urlsplit(c.first("StatusCallback") or "").query)["attempt"][0] for c in fake.calls
    ]


async def test_twilio_calls_are_created_once_per_attempt(
    on_twilio: OnTwilio, clock: ManualClock
) -> None:
    o = on_twilio
    dialer = o.r.dialer(o.campaign_id, o.gateway)
    assert (await dialer.round(clock.now())).placed == 3
    assert (await dialer.round(clock.now())).placed == 0  # in flight: nothing again
    keys = ledger_keys(o.fake)
    assert len(set(keys)) == 3 == len(o.fake.calls) == o.fake.creates
    for call, key in zip(o.fake.calls, keys, strict=True):
        await dialer.on_result(key, R.CONFIRMED, call.sid)
        await dialer.on_result(key, R.CONFIRMED, call.sid)  # a repeated webhook
    assert (await dialer.round(clock.now())).completed
    assert len(o.fake.calls) == 3
    assert (await o.r.service.status(o.campaign_id)).counts.results == {"confirmed": 3}


@pytest.mark.parametrize(
    ("failure", "result"),
    [
        (Failure.DROP_AFTER, None),  # created, the answer lost: found and placed
        (Failure.ERROR_AFTER, None),  # created behind a 500: found and placed
        (Failure.ERROR_BEFORE, R.UNCERTAIN),  # a 500 before creating: none, uncertain
    ],
)
async def test_a_crash_while_sending_never_dials_twice(
    on_twilio: OnTwilio, clock: ManualClock, failure: Failure, result: AttemptResult | None
) -> None:
    o = on_twilio
    o.fake.fail_next(failure)
    first = await o.r.dialer(o.campaign_id, o.gateway).round(clock.now())
    assert (first.placed, first.maybe_placed) == (2, 1)
    [(stuck, _)] = await o.r.s.attempts.stuck_sending(o.campaign_id)
    clock.advance(timedelta(minutes=5))
    restarted = o.r.dialer(o.campaign_id, o.gateway)  # a new process: nothing in memory
    report = await restarted.take_over(clock.now())
    found = await o.r.s.attempts.get(stuck.id)
    assert found is not None
    attempt = found[0]
    if result is None:
        assert (report.placed, report.uncertain) == (1, 0)
        assert attempt.state is AttemptState.PLACED
        assert attempt.provider_id in {c.sid for c in o.fake.calls}
    else:
        assert (report.placed, report.uncertain) == (0, 1)
        assert (attempt.state, attempt.result) == (AttemptState.DONE, R.UNCERTAIN)
    for call, key in zip(o.fake.calls, ledger_keys(o.fake), strict=True):
        await restarted.on_result(key, R.NO_ANSWER, call.sid)  # retried per policy
    clock.advance(timedelta(hours=3))
    await restarted.round(clock.now())
    await restarted.round(clock.now())
    keys = ledger_keys(o.fake)
    assert len(keys) == len(set(keys))  # one call per attempt, never a second one
    if result is not None:  # an uncertain attempt is never dialled, nor retried
        assert not [k for k in keys if k.startswith(f"{o.campaign_id}:{stuck.target_id}:")]
    waiting = (await o.r.service.status(o.campaign_id)).counts.waiting
    assert waiting == {"placed": 3 if result is None else 2}


async def test_a_crash_before_placing_is_uncertain_on_the_simulator(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.SIMULATED)
    [(attempt, _), *_] = await r.s.attempts.claim(campaign_id, 1, clock.now(), "crashed")
    await r.s.attempts.mark_sending(attempt.id, clock.now())  # then the process died
    gateway = SimulatedGateway(mix={R.CONFIRMED: 1.0}, clock=clock)
    dialer = r.dialer(campaign_id, gateway)
    gateway.bind(dialer.on_result)
    assert (await dialer.take_over(clock.now())).uncertain == 1
    await run_to_the_end(r, dialer, gateway)
    counts = (await r.service.status(campaign_id)).counts
    assert counts.results == {"uncertain": 1, "confirmed": 2}
    assert len(gateway.calls) == 2


class Refusing(SimulatedGateway):
    """The simulator refusing its first requests (rate limited, or for good)."""

    def __init__(self, clock: ManualClock, *errors: GatewayError) -> None:
        super().__init__(mix={R.CONFIRMED: 1.0}, clock=clock)
        self.errors = list(errors)

    async def place(self, request: DialRequest) -> str:
        if self.errors:
            raise self.errors.pop(0)
        return await super().place(request)


@pytest.mark.parametrize(
    ("transient", "results"),
    [(True, {"failed": 1, "confirmed": 3}), (False, {"failed": 1, "confirmed": 2})],
)
async def test_a_refused_request_is_retried_only_when_transient(
    engine: AsyncEngine, clock: ManualClock, transient: bool, results: dict[str, int]
) -> None:
    r = rig(engine, clock)
    t = await town(engine)
    campaign_id = await outage_campaign(r, t.outage_id, GatewayKind.SIMULATED)
    gateway = Refusing(clock, GatewayError("429", transient=transient))
    dialer = r.dialer(campaign_id, gateway)
    gateway.bind(dialer.on_result)
    first = await dialer.round(clock.now())
    assert (first.placed, first.retry_later, first.failed) == (2, int(transient), 1 - transient)
    await run_to_the_end(r, dialer, gateway)
    assert (await r.service.status(campaign_id)).counts.results == results
