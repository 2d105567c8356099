"""The Asterisk outbound gateway against recorded AMI sessions (campaign calls answered by
a person and by a machine, busy, no answer, and the failing Originates) replayed through
the real client, plus scripted sessions for what a recording cannot show: the Originate we
send, a connection lost after sending, and `find` from the live channels."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import cast

import pytest

from callcenter.telephony.asterisk.ami import AmiClient, AmiSettings
from callcenter.telephony.asterisk.codec import Message
from callcenter.telephony.asterisk.outbound import AmiGateway
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.telephony.ports import CallEnd, CallLog
from outbound.gateway import CallMaybePlacedError, DialRequest, GatewayError
from outbound.models import AttemptResult, CampaignType
from tests.ami_helpers import (
    FakeAmi,
    Handler,
    action_ids,
    ids_from,
    recorded,
    replay,
    response,
    scripted,
)
from tests.conftest import NOW

R = AttemptResult


def dial(attempt_id: int, to: str, ring_seconds: int = 30) -> DialRequest:
    return DialRequest(
        f"9:{attempt_id}:1",
        attempt_id,
        to,
        "95598",
        CampaignType.OUTAGE_NOTICE,
        "outage-notice",
        ring_seconds=ring_seconds,
    )


class Sink:
    """The dialer's result use case: results in a queue."""

    def __init__(self) -> None:
        self.results: asyncio.Queue[tuple[str, AttemptResult, str]] = asyncio.Queue()

    async def __call__(self, key: str, result: AttemptResult, provider_id: str) -> None:
        await self.results.put((key, result, provider_id))

    async def next(self) -> tuple[str, AttemptResult, str]:
        return await asyncio.wait_for(self.results.get(), 5)


@contextlib.asynccontextmanager
async def session(
    server: FakeAmi | Handler, ids: list[str] | None = None
) -> AsyncIterator[AsteriskAmi]:
    """An AMI session on a fake Asterisk (no resync at login: the recordings have none)."""
    fake = server if isinstance(server, FakeAmi) else FakeAmi(server)
    async with fake:
        settings = AmiSettings("127.0.0.1", fake.port, "cc", "ccsecret", timeout_seconds=5)
        ami = AsteriskAmi(settings, cast(CallLog, None), cast(CallEnd, None))
        ami.client = AmiClient(
            settings, lambda e: ami._on_event(e), action_ids=ids_from(ids) if ids else None
        )
        running = asyncio.create_task(ami.client.run())
        try:
            await ami.client.wait_connected(5)
            yield ami
        finally:
            await ami.client.close()
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running


def replayed(name: str) -> tuple[Handler, list[str]]:
    server_bytes, client_bytes = recorded(name)
    return replay(server_bytes, client_bytes), action_ids(client_bytes)


@pytest.mark.parametrize(
    ("name", "request_", "expected"),
    [
        ("ami-originate-busy", dial(1003, "5550103"), R.BUSY),  # Reason 0: the Dial's BUSY
        ("ami-originate-noanswer", dial(1004, "5550104", ring_seconds=6), R.NO_ANSWER),
    ],
)
async def test_campaign_calls_replayed_give_their_results(
    name: str, request_: DialRequest, expected: AttemptResult
) -> None:
    sink = Sink()
    handler, ids = replayed(name)
    async with session(handler, ids) as ami:
        gateway = AmiGateway(ami, sink)
        provider_id = await gateway.place(request_)
        result = await sink.next()
        await gateway.close()

    assert provider_id == f"cc-attempt-{request_.attempt_id}"
    assert result == (request_.key, expected, provider_id)


@pytest.mark.parametrize(
    ("name", "request_"),
    [
        ("ami-originate-amd-human", dial(1001, "5550101")),
        ("ami-originate-amd-machine", dial(1002, "5550102")),
    ],
)
async def test_answered_campaign_calls_leave_the_result_to_their_flow(
    name: str, request_: DialRequest
) -> None:
    sink = Sink()
    handler, ids = replayed(name)
    async with session(handler, ids) as ami:
        gateway = AmiGateway(ami, sink)
        await gateway.place(request_)
        await asyncio.wait_for(gateway.settle(), 5)
        await gateway.close()

    assert sink.results.empty()  # the FastAGI session reports confirmed, machine, ...


async def test_failing_originates_replayed() -> None:
    sink = Sink()
    handler, ids = replayed("ami-originate-failure")
    outcomes: list[AttemptResult | str] = []
    async with session(handler, ids) as ami:
        gateway = AmiGateway(ami, sink)
        for n in range(8):  # -02 … -09, in the recorded order
            try:
                await gateway.place(dial(2000 + n, "5550199"))
            except GatewayError as err:
                outcomes.append("refused" if not err.transient else "transient")
            else:
                outcomes.append((await sink.next())[1])
        await gateway.close()

    assert outcomes == [
        R.BUSY,  # Busy() on the originated channel: Reason 5
        R.FAILED,  # Congestion(): Reason 8
        R.NO_ANSWER,  # Reason 3
        R.FAILED,  # no such extension: Reason 0
        R.FAILED,  # no such channel technology: Reason 0
        "refused",  # a synchronous Originate: Response Error
        R.FAILED,  # Reason 8
        "refused",  # Channel not specified
    ]


def _originates(log: bytearray) -> list[bytes]:
    blocks = bytes(log).split(b"\r\n\r\n")
    return [b for b in blocks if b.startswith(b"Action: Originate\r\n")]


async def test_the_originate_carries_the_attempt() -> None:
    def answer(_: int, fields: dict[str, str]) -> bytes:
        return response(fields["ActionID"], Message="Originate successfully queued")

    server = FakeAmi(scripted(answer))  # type: ignore[arg-type]
    async with session(server) as ami:
        gateway = AmiGateway(ami, Sink())
        await gateway.place(dial(1001, "+8613800138000", ring_seconds=25))
        await gateway.close()
    [sent] = _originates(server.received[0])

    lines = sent.decode().split("\r\n")
    assert lines[0] == "Action: Originate"
    assert lines[2:] == [
        "Channel: Local/8613800138000@campaign-out",
        "Context: campaign-answered",
        "Exten: s",
        "Priority: 1",
        "Timeout: 25000",
        "Async: true",
        "CallerID: 95598",
        "ChannelId: cc-attempt-1001",
        "Variable: CC_ATTEMPT=9:1001:1",
        "Variable: CC_ATTEMPT_ID=1001",
        "Variable: CC_FLOW=outage-notice",
        "Variable: CC_CAMPAIGN_TYPE=outage-notice",
        "Variable: CC_AMD=yes",
    ]


async def test_a_connection_lost_after_sending_is_maybe_placed_and_not_resent() -> None:
    server = FakeAmi(scripted(lambda n, fields: None))  # type: ignore[arg-type]  # drops
    async with session(server) as ami:
        gateway = AmiGateway(ami, Sink())
        with pytest.raises(CallMaybePlacedError):
            await gateway.place(dial(1001, "5550101"))
    sent = [len(_originates(log)) for log in server.received]

    assert sum(sent) == 1


@pytest.mark.parametrize(
    ("connected", "to", "transient"),
    [
        (False, "5550101", True),  # nothing sent
        (True, "5550101&Local/1@x", False),  # never put into a dial string
        (True, "", False),
    ],
)
async def test_refused_before_sending(connected: bool, to: str, transient: bool) -> None:
    handler, ids = replayed("ami-originate-amd-human")
    async with session(handler, ids) as ami:
        if not connected:
            await ami.client.close()
            await asyncio.wait_for(_disconnected(ami), 5)
        gateway = AmiGateway(ami, Sink())
        with pytest.raises(GatewayError) as raised:
            await gateway.place(dial(1001, to))

    assert raised.value.transient is transient


async def _disconnected(ami: AsteriskAmi) -> None:
    while ami.client.connected:
        await asyncio.sleep(0.01)


async def test_find_sees_the_live_channel_of_the_attempt() -> None:
    ami = AsteriskAmi(AmiSettings("127.0.0.1"), cast(CallLog, None), cast(CallEnd, None))
    ami.tracker.resync(  # what CoreShowChannels lists after a restart
        [
            Message(
                "event",
                "CoreShowChannel",
                {
                    "Channel": "Local/5550101@campaign-out-00000000;2",
                    "Uniqueid": "cc-attempt-1001;2",
                },
            )
        ]
    )
    gateway = AmiGateway(ami)

    assert await gateway.find(dial(1001, "5550101"), NOW) == "cc-attempt-1001"
    assert await gateway.find(dial(1002, "5550102"), NOW) is None
