"""Campaign calls answered on Asterisk: the FastAGI `campaign` session (as recorded from
Asterisk 22: `agi_network_script: campaign`, the AMD verdict as arguments, `CC_ATTEMPT`
read with GET VARIABLE) runs the campaign type's message flow and reports the attempt's
result when it is over."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import CallState, Direction
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENGINE, FASTAGI, OUTBOUND
from outbound.dialer import attempt_key
from outbound.gateway import DialRequest
from outbound.models import (
    AttemptResult,
    CampaignType,
    GatewayKind,
    NewCampaign,
    TargetQuery,
    TargetQueryKind,
)
from tests.agi_helpers import FakeChannel
from tests.conftest import NOW, app_settings, on_real_stores_only_for
from tests.integration.outbound_helpers import town

Client = TestClient[web.Request, web.Application]
pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
# the recorded sessions' Uniqueids (the Originate's ChannelId)
CHANNELS = {"agi-outbound-session": "cc-attempt-1001", "agi-outbound-machine": "cc-attempt-1002"}


@dataclass
class StubAmi:
    """Stands for the AMI gateway: the test plays the Originate's part."""

    kind: GatewayKind = GatewayKind.ASTERISK

    async def place(self, request: DialRequest) -> str:
        raise AssertionError("not dialled in this test")

    async def find(self, request: DialRequest, since: datetime) -> str | None:
        return None

    async def close(self) -> None:
        return None


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    prompts_dir: Path,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__FASTAGI_LISTEN="127.0.0.1:0",
        CALLCENTER_ASTERISK__PROMPTS_DIR=str(prompts_dir),
        CALLCENTER_OUTBOUND__RUN_DIALER="false",
    )
    client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
    client.app[OUTBOUND].gateways.asterisk = cast(Any, StubAmi())
    await town(client.app[ENGINE])
    return client


async def _sent_attempt(client: Client) -> str:
    """A bill reminder to one customer, its attempt sent to Asterisk; the attempt key."""
    outbound = client.app[OUTBOUND]
    query = TargetQuery(TargetQueryKind.BILLS_DUE, "3")
    new = NewCampaign("提醒", CampaignType.BILL_REMINDER, GatewayKind.ASTERISK, query)
    campaign_id = (await outbound.campaigns.create(new)).campaign.id
    await outbound.campaigns.start(campaign_id)
    attempts = outbound.stores.attempts
    (attempt, _), *_ = await attempts.claim(campaign_id, 1, NOW, "test")
    assert await attempts.mark_sending(attempt.id, NOW) is not None
    return attempt_key(attempt)


@pytest.mark.parametrize(
    ("session", "keys", "expected"),
    [
        ("agi-outbound-session", ["1"], AttemptResult.CONFIRMED),  # HUMAN, then key 1
        ("agi-outbound-session", ["9"], AttemptResult.OPTED_OUT),
        ("agi-outbound-machine", ["", ""], AttemptResult.MACHINE),  # MACHINE, nobody keys 1
    ],
)
async def test_the_answered_campaign_call_runs_its_flow_and_reports(
    client: Client,
    stores: tuple[str, str],
    session: str,
    keys: list[str],
    expected: AttemptResult,
) -> None:
    on_real_stores_only_for(stores, expected is AttemptResult.CONFIRMED)
    key = await _sent_attempt(client)
    channel = FakeChannel(session, keys=keys, variables={"CC_ATTEMPT": key})
    await channel.call(client.app[FASTAGI].port)

    assert channel.commands[0] == "GET VARIABLE CC_ATTEMPT"
    found = await client.app[OUTBOUND].stores.attempts.find_by_provider(CHANNELS[session])
    assert found is not None
    attempt, target = found
    assert attempt.result is expected
    assert attempt.call_id is not None
    record = await client.app[CALLS].get(attempt.call_id)
    assert record.direction is Direction.OUTBOUND and record.to_number == target.phone
    assert record.state is CallState.ENDED


async def test_an_unknown_attempt_is_hung_up(client: Client) -> None:
    channel = FakeChannel("agi-outbound-session", keys=[], variables={"CC_ATTEMPT": "99:1:1"})
    await channel.call(client.app[FASTAGI].port)
    assert channel.commands[-1] == "HANGUP"
