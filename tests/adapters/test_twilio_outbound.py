"""The Twilio outbound gateway through the real `twilio` library against the fake REST API:
what `calls.create` carries, "never a second call" under every failure, `find` after a
crash, texts, and the API base URL that TWILIO_EDGE/REGION must not rewrite."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from callcenter.core.clock import ManualClock
from callcenter.telephony.pacing import RequestPacer
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.gateway import CallMaybePlacedError, DialRequest, GatewayError
from outbound.models import CampaignType
from tests.conftest import NOW
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, Failure, FakeCall, FakeTwilio

Server = Callable[[web.Application], Awaitable[TestServer]]
BASE = "https://cc.example.com"
HOTLINE = "+861095598"
CUSTOMER = "+8613800138000"


def dial(key: str = "7:42:1", to: str = CUSTOMER, **changes: object) -> DialRequest:
    fields: dict[str, object] = {
        "key": key,
        "attempt_id": 1001,
        "to": to,
        "caller_id": HOTLINE,
        "campaign_type": CampaignType.OUTAGE_NOTICE,
        "flow": "outage-notice",
        "ring_seconds": 25,
    }
    return DialRequest(**(fields | changes))  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def fake(clock: ManualClock) -> FakeTwilio:
    return FakeTwilio(clock=clock)


async def _open(api_base_url: str, pacer: RequestPacer | None = None) -> TwilioGateway:
    """The gateway on the fake, with no pacing unless `pacer` is given."""
    config = TwilioOutboundConfig(
        ACCOUNT_SID, AUTH_TOKEN, BASE, api_base_url=api_base_url, calls_per_second=0
    )
    gateway = TwilioGateway(config, pacer=pacer)
    await gateway.open()
    return gateway


@pytest.fixture
async def api(aiohttp_server: Server, fake: FakeTwilio) -> str:
    return str((await aiohttp_server(fake.app())).make_url(""))


@pytest.fixture
async def gateway(api: str) -> AsyncIterator[TwilioGateway]:
    gateway = await _open(api)
    yield gateway
    await gateway.close()


async def test_place_creates_one_call_with_amd_and_signed_callbacks(
    gateway: TwilioGateway, fake: FakeTwilio
) -> None:
    sid = await gateway.place(dial())

    [call] = fake.calls
    assert (call.sid, call.to, call.from_) == (sid, CUSTOMER, HOTLINE)
    query = "?attempt=7%3A42%3A1"
    assert {name: call.first(name) for name in call.params if name != "StatusCallbackEvent"} == {
        "To": CUSTOMER,
        "From": HOTLINE,
        "Url": f"{BASE}/twilio/outbound/answer{query}",
        "Method": "POST",
        "StatusCallback": f"{BASE}/twilio/outbound/status{query}",
        "StatusCallbackMethod": "POST",
        "Timeout": "25",
        "MachineDetection": "DetectMessageEnd",
        "AsyncAmd": "true",
        "AsyncAmdStatusCallback": f"{BASE}/twilio/outbound/amd{query}",
        "AsyncAmdStatusCallbackMethod": "POST",
    }
    assert call.params["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]


async def test_no_machine_detection_unless_asked(gateway: TwilioGateway, fake: FakeTwilio) -> None:
    await gateway.place(dial(machine_detection=False))

    assert not {"MachineDetection", "AsyncAmd"} & set(fake.calls[0].params)


@pytest.mark.parametrize(
    ("failure", "transient", "maybe_placed", "created"),
    [
        (Failure.RATE_LIMITED, True, False, 0),
        (Failure.ERROR_BEFORE, False, True, 0),  # a 5xx cannot tell: reconcile
        (Failure.ERROR_AFTER, False, True, 1),
        (Failure.DROP_AFTER, False, True, 1),
    ],
)
async def test_a_failed_create_is_never_sent_twice(
    gateway: TwilioGateway,
    fake: FakeTwilio,
    failure: Failure,
    transient: bool,
    maybe_placed: bool,
    created: int,
) -> None:
    fake.fail_next(failure)

    with pytest.raises(GatewayError) as raised:
        await gateway.place(dial())

    assert fake.creates == 1  # one POST: no retry by the HTTP client
    assert len(fake.calls) == created
    assert raised.value.transient is transient
    assert isinstance(raised.value, CallMaybePlacedError) is maybe_placed


async def test_twilio_not_reached_is_transient() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = await _open(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(GatewayError) as raised:
            await gateway.place(dial())
    finally:
        await gateway.close()
    assert raised.value.transient
    assert not isinstance(raised.value, CallMaybePlacedError)


async def test_a_call_created_behind_a_500_is_found_afterwards(
    gateway: TwilioGateway, fake: FakeTwilio, clock: ManualClock
) -> None:
    since = clock.now()
    fake.fail_next(Failure.ERROR_AFTER)
    with pytest.raises(CallMaybePlacedError):
        await gateway.place(dial())
    clock.advance(timedelta(seconds=3))

    found_queued = await gateway.find(dial(), since)
    fake.progress(fake.calls[0].sid, "ringing")
    found_ringing = await gateway.find(dial(), since)

    assert found_queued == found_ringing == fake.calls[0].sid


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ([], None),
        ([(CUSTOMER, HOTLINE, 10, "queued")], 0),
        ([(CUSTOMER, HOTLINE, 10, "in-progress")], 0),
        ([(CUSTOMER, HOTLINE, 10, "completed")], 0),
        ([(CUSTOMER, HOTLINE, -600, "completed")], None),  # before the attempt
        ([(CUSTOMER, "+861000000000", 10, "ringing")], None),  # not our caller id
        ([("+8613900139000", HOTLINE, 10, "ringing")], None),  # another number
        ([(CUSTOMER, HOTLINE, -600, "completed"), (CUSTOMER, HOTLINE, 10, "ringing")], 1),
        ([(CUSTOMER, HOTLINE, 10, "ringing"), (CUSTOMER, HOTLINE, 20, "queued")], None),
    ],
)
async def test_find_matches_number_caller_id_and_time(
    gateway: TwilioGateway,
    fake: FakeTwilio,
    clock: ManualClock,
    calls: list[tuple[str, str, int, str]],
    expected: int | None,
) -> None:
    since = clock.now()
    for to, from_, offset, status in calls:  # placed outside the gateway: a crash lost them
        clock.set(since + timedelta(seconds=offset))
        other = await _placed_elsewhere(fake, to, from_)
        fake.progress(other, status)
    clock.set(since + timedelta(minutes=1))

    found = await gateway.find(dial(), since)

    assert found == (None if expected is None else fake.calls[expected].sid)


async def _placed_elsewhere(fake: FakeTwilio, to: str, from_: str) -> str:
    """A call in the fake's ledger that this gateway did not see being created."""
    call = FakeCall(f"CA{len(fake.calls) + 1:032x}", to, from_, fake.clock.now(), {})
    fake.calls.append(call)
    return call.sid


async def test_find_reads_every_page_on_the_configured_host(
    api: str, fake: FakeTwilio, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")  # would move next_page_uri to another host
    since = clock.now()
    ours = await _placed_elsewhere(fake, CUSTOMER, HOTLINE)
    for _ in range(4):  # newer calls to the same number from another line come first
        fake.progress(await _placed_elsewhere(fake, CUSTOMER, "+861000000000"), "completed")
    fake.progress(ours, "completed")
    config = TwilioOutboundConfig(ACCOUNT_SID, AUTH_TOKEN, BASE, api_base_url=api, find_page_size=2)
    gateway = TwilioGateway(config)
    await gateway.open()
    try:
        found = await gateway.find(dial(), since)
    finally:
        await gateway.close()

    assert found == ours


async def test_twilio_edge_and_region_do_not_move_the_api(
    api: str, fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    gateway = await _open(api)
    try:
        await gateway.place(dial())
    finally:
        await gateway.close()

    assert len(fake.calls) == 1


async def test_calls_from_one_number_are_paced(api: str, fake: FakeTwilio) -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    gateway = await _open(api, RequestPacer(1.0, 5, monotonic=lambda: now[0], sleep=sleep))
    try:
        for n in range(3):
            await gateway.place(dial(key=f"7:{n}:1", to=f"+86138001380{n:02d}"))
        await gateway.send_sms(CUSTOMER, HOTLINE, "停电通知")
    finally:
        await gateway.close()

    assert waits == [1.0, 1.0]  # the text goes on its own pace
    assert len(fake.calls) == 3


async def test_send_sms_through_messages(gateway: TwilioGateway, fake: FakeTwilio) -> None:
    sid = await gateway.send_sms(CUSTOMER, HOTLINE, "您好，3月12日9:00-17:00计划停电。")

    assert fake.messages == [
        {"sid": sid, "To": CUSTOMER, "From": HOTLINE, "Body": "您好，3月12日9:00-17:00计划停电。"}
    ]


async def test_a_rate_limited_text_is_transient(gateway: TwilioGateway, fake: FakeTwilio) -> None:
    fake.fail_next(Failure.RATE_LIMITED)

    with pytest.raises(GatewayError) as raised:
        await gateway.send_sms(CUSTOMER, HOTLINE, "hi")

    assert raised.value.transient
    assert fake.messages == []


def test_outbound_calls_need_the_public_base_url() -> None:
    with pytest.raises(ValueError, match="public_base_url"):
        TwilioGateway(TwilioOutboundConfig(ACCOUNT_SID, AUTH_TOKEN, ""))


async def test_refused_credentials_create_nothing_and_fail_lookups_transiently(
    aiohttp_server: Server, clock: ManualClock
) -> None:
    fake = FakeTwilio(auth_token="another-token", clock=clock)
    gateway = await _open(str((await aiohttp_server(fake.app())).make_url("")))
    try:
        with pytest.raises(GatewayError) as placing:
            await gateway.place(dial())
        with pytest.raises(GatewayError) as finding:
            await gateway.find(dial(), clock.now())
    finally:
        await gateway.close()

    assert placing.value.transient and finding.value.transient
    assert not isinstance(placing.value, CallMaybePlacedError)
    assert "HTTP 401" in str(placing.value)
    assert fake.calls == []
