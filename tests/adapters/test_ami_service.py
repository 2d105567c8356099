"""The AMI session in the app: it takes the `ami` lease, resyncs after each login, writes
hang-up causes into the call records, ends calls that Asterisk lost while we were away, and
places calls with Originate (outcome from OriginateResponse)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from agents.models import CallerLine, RoutedCall
from callcenter.app import create_app
from callcenter.calls.models import Direction, ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.telephony.asterisk.channels import originate_outcome
from callcenter.web.keys import AMI, ASTERISK_BRIDGE, CALLS
from tests.ami_helpers import BANNER, FakeAmi, event, list_reply, read_action, response
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]
CALLER_CHANNEL = "PJSIP/trunk-00000011"
UNIQUEID = "1795340000.11"


class Asterisk:
    """A scripted Asterisk: connection 0 lists our caller's channel, then (when told) sends
    its hang-up or drops; later connections list no channel."""

    def __init__(self) -> None:
        self.drop = asyncio.Event()
        self.hang_up = asyncio.Event()
        self.originates: list[dict[str, str]] = []
        self.hangups: list[str] = []

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        writer.write(BANNER)
        pushed = asyncio.create_task(self._push(writer, n))
        try:
            while (got := await read_action(reader)) is not None:
                _, fields = got
                writer.write(self._answer(n, fields))
                await writer.drain()
        finally:
            pushed.cancel()

    def _answer(self, n: int, fields: dict[str, str]) -> bytes:
        action, action_id = fields["Action"], fields["ActionID"]
        if action == "CoreShowChannels":
            channels = [{"Channel": CALLER_CHANNEL, "Uniqueid": UNIQUEID, "Linkedid": UNIQUEID}]
            return list_reply(action_id, "CoreShowChannel", channels if n == 0 else [])
        if action == "QueueStatus":
            return list_reply(action_id, "QueueStatus", [])
        if action == "Hangup":
            self.hangups.append(fields["Channel"])
            return response(action_id, Message="Channel Hungup")
        if action == "Originate":
            self.originates.append(fields)
            return response(action_id, Message="Originate successfully queued") + event(
                "OriginateResponse",
                ActionID=action_id,
                Response="Failure",
                Channel=fields["Channel"],
                Reason="5",
                Uniqueid="<unknown>",
            )
        return response(action_id)

    async def _push(self, writer: asyncio.StreamWriter, n: int) -> None:
        if n > 0:
            return
        waits = [asyncio.create_task(self.drop.wait()), asyncio.create_task(self.hang_up.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if self.hang_up.is_set():
            writer.write(
                event(
                    "Cdr",
                    UniqueID=UNIQUEID,
                    Disposition="ANSWERED",
                    Duration="42",
                    BillableSeconds="40",
                )
            )
            writer.write(
                event(
                    "Hangup",
                    Channel=CALLER_CHANNEL,
                    Uniqueid=UNIQUEID,
                    Linkedid=UNIQUEID,
                    Cause="17",
                    Cause_txt="User busy",
                )
            )
            await writer.drain()
        else:
            writer.close()


@pytest.fixture
async def asterisk() -> Asterisk:
    return Asterisk()


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    asterisk: Asterisk,
) -> AsyncIterator[Client]:
    async with FakeAmi(asterisk) as server:
        settings = app_settings(
            stores,
            CALLCENTER_ASTERISK__AMI_HOST="127.0.0.1",
            CALLCENTER_ASTERISK__AMI_PORT=str(server.port),
            CALLCENTER_ASTERISK__AMI_SECRET="s3cret",
        )
        client = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
        yield client
        await client.close()


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_hangup_cause_is_recorded_and_lost_calls_end_on_resync(
    client: Client, asterisk: Asterisk
) -> None:
    ami = client.app[AMI]
    call = await client.app[CALLS].start(
        Direction.INBOUND, "+8613800138000", "95598", ProviderRef("asterisk", UNIQUEID)
    )

    async def synced() -> bool:
        return ami.connected and ami.tracker.by_uniqueid(UNIQUEID) is not None

    await until(synced)  # adopted from CoreShowChannels
    asterisk.drop.set()  # Asterisk goes away; on the next login it has no channel any more

    async def ended() -> bool:
        return (await client.app[CALLS].get(call.id)).is_over

    await until(ended)
    events = (await client.app[CALLS].detail(call.id)).events
    assert (events[-1].type, events[-1].data["reason"]) == ("hung_up", "lost-sync")
    assert ami.client.sessions >= 2


async def test_cdr_and_hangup_events_are_written(client: Client, asterisk: Asterisk) -> None:
    ami = client.app[AMI]
    call = await client.app[CALLS].start(
        Direction.INBOUND, "+8613800138000", "95598", ProviderRef("asterisk", UNIQUEID)
    )
    await until(lambda: asyncio.sleep(0, ami.connected))
    asterisk.hang_up.set()

    async def written() -> bool:
        events = (await client.app[CALLS].detail(call.id)).events
        return sum(e.type == "provider_status" for e in events) == 2

    await until(written)
    events = (await client.app[CALLS].detail(call.id)).events
    status = [e.data for e in events if e.type == "provider_status"]
    assert status == [
        {
            "provider": "asterisk",
            "status": "cdr",
            "disposition": "ANSWERED",
            "duration": 42,
            "billable": 40,
        },
        {"provider": "asterisk", "status": "hangup", "cause": 17, "cause_text": "User busy"},
    ]
    assert ami.tracker.by_uniqueid(UNIQUEID) is None


async def test_originate_reports_its_outcome(client: Client, asterisk: Asterisk) -> None:
    ami = client.app[AMI]
    await until(lambda: asyncio.sleep(0, ami.connected))
    outcome = await ami.originate(
        "Local/13800138000@campaign-out",
        context="campaign-answered",
        exten="s",
        caller_id="95598",
        variables={"CAMPAIGN": "outage-7"},
    )
    result = await asyncio.wait_for(outcome, 5)
    assert originate_outcome(result) == "busy"
    sent = asterisk.originates[0]
    assert (sent["Channel"], sent["Context"], sent["Async"]) == (
        "Local/13800138000@campaign-out",
        "campaign-answered",
        "true",
    )


async def test_the_bridge_uses_the_ami_for_liveness_and_hang_up(
    client: Client, asterisk: Asterisk
) -> None:
    ami, bridge = client.app[AMI], client.app[ASTERISK_BRIDGE]
    meta = RoutedCall(CallerLine(provider="asterisk", provider_call=UNIQUEID))

    async def synced() -> bool:
        return ami.connected and ami.tracker.by_uniqueid(UNIQUEID) is not None

    await until(synced)
    assert await bridge.is_live(meta) is True
    assert await bridge.is_live(RoutedCall(CallerLine(provider_call="1.1"))) is False
    await bridge.hang_up("call-x", meta)
    assert asterisk.hangups == [CALLER_CHANNEL]


async def test_an_instance_without_the_session_relays_its_hang_up(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    asterisk: Asterisk,
) -> None:
    if stores[1].startswith("memory://"):
        pytest.skip("two instances share only a real Redis")
    async with FakeAmi(asterisk) as server:
        settings = app_settings(
            stores,
            CALLCENTER_ASTERISK__AMI_HOST="127.0.0.1",
            CALLCENTER_ASTERISK__AMI_PORT=str(server.port),
        )
        first = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))
        second = await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))

        async def one_leader() -> bool:
            return first.app[AMI].connected or second.app[AMI].connected

        await until(one_leader)
        leader, other = (first, second) if first.app[AMI].connected else (second, first)
        assert not other.app[AMI].client.connected  # the lease keeps it out

        async def adopted() -> bool:
            return leader.app[AMI].tracker.by_uniqueid(UNIQUEID) is not None

        await until(adopted)
        meta = RoutedCall(CallerLine(provider="asterisk", provider_call=UNIQUEID))
        assert await other.app[ASTERISK_BRIDGE].is_live(meta) is None  # cannot tell there
        await other.app[ASTERISK_BRIDGE].hang_up("call-x", meta)

        async def hung_up() -> bool:
            return asterisk.hangups == [CALLER_CHANNEL]

        await until(hung_up)
        await first.close()
        await second.close()
