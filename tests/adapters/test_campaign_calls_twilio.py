"""Every campaign type end to end on a local fake of Twilio's REST API: the server's dialer
creates the calls, Twilio's signed webhooks answer them and follow the TwiML, and the
attempts, the opt-outs and the outbound call records come out right."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from callcenter.app import create_app
from callcenter.calls.models import CallState, Direction
from callcenter.core.audit import Editor
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENGINE, OUTBOUND
from outbound.arrears_service import StepName
from outbound.models import (
    ArrearsStep,
    Attempt,
    AttemptResult,
    CampaignType,
    GatewayKind,
    NewCampaign,
    Target,
    TargetQuery,
    TargetQueryKind,
)
from tests.adapters.campaign_twilio_helpers import BASE, CampaignCall, Client
from tests.conftest import NOW, app_settings, on_real_stores_only_for
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.integration.outbound_helpers import Town, town

T, Q, R = CampaignType, TargetQueryKind, AttemptResult
Server = Callable[[web.Application], Awaitable[TestServer]]
ZHANG = "+8613800000001"


@dataclass
class Rig:
    client: Client
    fake: FakeTwilio
    town: Town
    clock: ManualClock

    async def arrears_at(self, account_no: str, step: StepName) -> None:
        """Take Zhang's (or another account's) procedure up to `step` by hand: reminded,
        approved by a supervisor, or the notice delivered naming a cut 4 days on and the
        clock an hour before that cut (a re-notice's time)."""
        service = self.client.app[OUTBOUND].arrears
        assert service is not None
        account = self.town.accounts[account_no]
        await service.step(account, StepName.REMINDED, Editor("operator", 1))
        if step is StepName.REMINDED:
            return
        await service.step(account, StepName.APPROVED, Editor("supervisor", 2))
        if step is StepName.NOTICE_DELIVERED:
            cut = NOW + timedelta(days=4)
            await service.step(account, step, Editor("operator", 1), cut_at=cut)
            self.clock.set(cut - timedelta(hours=1))

    async def campaign(self, kind: CampaignType, query: TargetQuery) -> int:
        outbound = self.client.app[OUTBOUND]
        new = NewCampaign(kind.value, kind, GatewayKind.TWILIO, query)
        campaign_id = (await outbound.campaigns.create(new)).campaign.id
        await outbound.campaigns.start(campaign_id)
        return campaign_id

    async def dial(self, campaign_id: int) -> list[CampaignCall]:
        """One dialer round; the calls it created."""
        before = len(self.fake.calls)
        dialer = await self.client.app[OUTBOUND].dialer(campaign_id)
        await dialer.round(self.clock.now())
        return [CampaignCall(self.client, c) for c in self.fake.calls[before:]]

    async def results(self, campaign_id: int) -> dict[str, int]:
        counts = await self.client.app[OUTBOUND].stores.attempts.counts(
            campaign_id, self.clock.now()
        )
        return counts.results


@pytest.fixture
async def rig(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    aiohttp_server: Server,
    stores: tuple[str, str],
) -> AsyncIterator[Rig]:
    clock = ManualClock(NOW)
    fake = FakeTwilio(clock=clock)
    api = str((await aiohttp_server(fake.app())).make_url("")).rstrip("/")
    settings = app_settings(
        stores,
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        CALLCENTER_TWILIO__API_BASE_URL=api,
        CALLCENTER_TWILIO__CALLS_PER_SECOND="0",
        CALLCENTER_OUTBOUND__RUN_DIALER="false",
    )
    client = await aiohttp_client(create_app(settings, clock=clock))
    yield Rig(client, fake, await town(client.app[ENGINE]), clock)


def _query(rig: Rig, kind: CampaignType) -> TargetQuery:
    if kind in (T.OUTAGE_NOTICE, T.ETR_UPDATE, T.RESTORATION_NOTICE):
        return TargetQuery(Q.OUTAGE, str(rig.town.outage_id))
    if kind in (T.LOW_BALANCE, T.ZERO_BALANCE):
        return TargetQuery(Q.BALANCE_BELOW, "20")
    if kind is T.SATISFACTION_CALLBACK:
        return TargetQuery(Q.TICKET, str(rig.town.ticket_id))
    if kind is T.BILL_REMINDER:
        return TargetQuery(Q.BILLS_DUE, "3")
    return TargetQuery(Q.ARREARS_OVER, "30")  # arrears, disconnection notice, re-notice


IDENTITY = {T.ARREARS_REMINDER, T.DISCONNECTION_NOTICE, T.RE_NOTICE}


async def _confirm(call: CampaignCall, kind: CampaignType, account_no: str) -> None:
    """Listen to the message and confirm it (rate it 5 for a satisfaction callback)."""
    if kind in IDENTITY:
        await call.press(account_no[-4:])
    await call.press("1")
    if kind is T.SATISFACTION_CALLBACK:
        await call.press("5")
    for _ in range(3):  # whatever is left (a goodbye) until the flow hangs up
        if call.hung_up or call.next_url() is None:
            break
        await call.press("")
    assert call.hung_up, call.twiml


IN_STEP = {T.DISCONNECTION_NOTICE: StepName.APPROVED, T.RE_NOTICE: StepName.NOTICE_DELIVERED}


@pytest.mark.parametrize("kind", list(CampaignType))
async def test_every_campaign_type_is_confirmed_on_twilio(
    rig: Rig, stores: tuple[str, str], kind: CampaignType
) -> None:
    on_real_stores_only_for(stores, kind in (T.OUTAGE_NOTICE, T.RE_NOTICE))
    if kind in IN_STEP:  # the arrears procedure allows these calls only in their step
        await rig.arrears_at("3300000001", IN_STEP[kind])
    campaign_id = await rig.campaign(kind, _query(rig, kind))
    calls = await rig.dial(campaign_id)
    assert calls, "the dialer created no call at the fake Twilio"
    first = calls[0]
    assert first.url("MachineDetection") == "DetectMessageEnd"
    await first.answer("human")
    assert first.heard, first.twiml
    attempt, target = await _attempt_of(rig, first)
    await _confirm(first, kind, target.values["account_no"])
    await first.end("completed")
    attempt, _ = await _attempt_of(rig, first)
    assert attempt.result is R.CONFIRMED
    assert attempt.call_id is not None
    record = await rig.client.app[CALLS].get(attempt.call_id)
    assert record.direction is Direction.OUTBOUND
    assert record.to_number == target.phone
    assert record.customer_id == target.customer_id
    assert record.state is CallState.ENDED


async def _attempt_of(rig: Rig, call: CampaignCall) -> tuple[Attempt, Target]:
    found = await rig.client.app[OUTBOUND].stores.attempts.find_by_provider(call.call.sid)
    assert found is not None
    return found


async def _bill_call(rig: Rig) -> tuple[int, CampaignCall]:
    campaign_id = await rig.campaign(T.BILL_REMINDER, TargetQuery(Q.BILLS_DUE, "3"))
    calls = await rig.dial(campaign_id)
    return campaign_id, next(c for c in calls if c.call.to == ZHANG)


async def test_a_machine_hears_only_the_neutral_message(rig: Rig) -> None:
    campaign_id, call = await _bill_call(rig)
    await call.answer("machine_end_beep")
    spoken = " ".join(call.heard)
    assert "95598" in spoken and "80.00" not in spoken and "3300000001" not in spoken
    for _ in range(3):
        if call.hung_up:
            break
        await call.press("")
    assert call.hung_up
    await call.end("completed")
    assert await rig.results(campaign_id) == {"machine": 1}


async def test_a_person_taken_for_a_machine_presses_1_and_hears_the_message(rig: Rig) -> None:
    campaign_id, call = await _bill_call(rig)
    await call.answer("unknown")
    await call.press("1")
    assert any("电费为80元" in said for said in call.heard), call.heard  # the amount due
    await call.press("1")
    await call.end("completed")
    assert (await rig.results(campaign_id)).get("confirmed") == 1


async def test_the_answered_call_waits_for_the_asynchronous_verdict(rig: Rig) -> None:
    _, call = await _bill_call(rig)
    await call.answer(None)  # no verdict yet: the call waits a second and asks again
    assert "<Pause" in call.twiml and "<Redirect" in call.twiml
    for _ in range(10):
        if "<Redirect" not in call.twiml:
            break
        await call.post(call.next_url() or "")
    assert "<Gather" in call.twiml  # no verdict at all: the neutral message, "press 1"
    assert "80.00" not in " ".join(call.heard)


async def test_the_stop_key_opts_the_number_out_everywhere(rig: Rig) -> None:
    campaign_id, call = await _bill_call(rig)
    await call.answer("human")
    await call.press("9")
    await call.end("completed")
    assert (await rig.results(campaign_id)).get("opted_out") == 1
    assert await rig.client.app[OUTBOUND].stores.opt_outs.is_opted_out(ZHANG)


async def test_a_busy_line_is_retried_later_and_its_record_failed(rig: Rig) -> None:
    campaign_id, call = await _bill_call(rig)
    await call.end("busy", "0")
    attempt, _ = await _attempt_of(rig, call)
    assert attempt.result is R.BUSY
    counts = await rig.client.app[OUTBOUND].stores.attempts.counts(campaign_id, NOW)
    assert counts.waiting.get("retry-later", 0) >= 1
    assert attempt.call_id is not None
    record = await rig.client.app[CALLS].get(attempt.call_id)
    assert record.state is CallState.FAILED


async def test_a_repeated_status_callback_changes_nothing(rig: Rig) -> None:
    campaign_id, call = await _bill_call(rig)
    await call.end("no-answer", "0")
    await call.end("no-answer", "0")
    assert await rig.results(campaign_id) == {"no_answer": 1}


async def test_unknown_attempts_and_unsigned_posts_are_refused(rig: Rig) -> None:
    _, call = await _bill_call(rig)
    bad = call.url("Url").replace("attempt=", "attempt=999")
    await call.post(bad, {"AnsweredBy": "human"})
    assert "<Hangup" in call.twiml
    resp = await rig.client.post("/twilio/outbound/status?attempt=1:1:1", data={"CallSid": "x"})
    assert resp.status == 403


async def test_arrears_calls_take_their_steps_of_the_procedure(rig: Rig) -> None:
    outbound = rig.client.app[OUTBOUND]
    zhang = rig.town.accounts["3300000001"]
    notice = await rig.campaign(T.DISCONNECTION_NOTICE, TargetQuery(Q.ARREARS_OVER, "30"))
    assert await rig.dial(notice) == []  # not approved: refused by the procedure
    counts = await outbound.stores.attempts.counts(notice, NOW)
    assert counts.refused == {"sequence": 1}

    reminder = await rig.campaign(T.ARREARS_REMINDER, TargetQuery(Q.ARREARS_OVER, "30"))
    (call,) = await rig.dial(reminder)
    await call.answer("human")
    await _confirm(call, T.ARREARS_REMINDER, "3300000001")
    await call.end("completed")
    sequence = await outbound.stores.arrears.get(zhang)
    assert sequence is not None and sequence.step is ArrearsStep.REMINDED

    assert outbound.arrears is not None
    await outbound.arrears.step(zhang, StepName.APPROVED, Editor("supervisor", 2))
    notice = await rig.campaign(T.DISCONNECTION_NOTICE, TargetQuery(Q.ARREARS_OVER, "30"))
    (call,) = await rig.dial(notice)
    await call.answer("human")
    await _confirm(call, T.DISCONNECTION_NOTICE, "3300000001")
    assert any("3月14日" in said for said in call.heard), call.heard  # the cut time it names
    await call.end("completed")
    sequence = await outbound.stores.arrears.get(zhang)
    assert sequence is not None and sequence.step is ArrearsStep.NOTICE_DELIVERED
    cut = datetime(2026, 3, 14, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert sequence.cut_at == cut  # 10:00 local, 4 days after the call: 3-7 days ahead
    history = await outbound.stores.arrears.history(zhang)
    assert [e.actor_role for e in history][-1] == "campaign"
