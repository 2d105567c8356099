"""Signed Twilio webhook conversations through the real app (embedded and real stores)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from callcenter.app import create_app
from callcenter.calls.models import Direction, ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import CALLS, ENGINE
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer, add_outage

Client = TestClient[web.Request, web.Application]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "twilio"
TOKEN = "b1e7d466ee7004af846c87790bf415bf"
BASE = "https://cc.example.com"
CALLER = "+8613800138000"


def fixture(name: str) -> dict[str, str]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["params"])


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> Client:
    settings = app_settings(
        stores, CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE, TWILIO_AUTH_TOKEN=TOKEN
    )
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


class Caller:
    """One phone call: posts signed webhooks as Twilio would and keeps the last TwiML."""

    def __init__(self, client: Client, sid: str = "CA1042bb91000000000000000000000001") -> None:
        self.client = client
        self.base = fixture("incoming-call") | {"CallSid": sid, "From": CALLER, "Caller": CALLER}
        self.twiml = ""

    async def post(
        self, url: str, extra: dict[str, str] | None = None, signature: str | None = None
    ) -> Any:
        path = url.removeprefix(BASE)  # the TwiML's URLs are absolute
        params = self.base | (extra or {})
        sig = signature or RequestValidator(TOKEN).compute_signature(BASE + path, params)
        resp = await self.client.post(path, data=params, headers={"X-Twilio-Signature": sig})
        self.twiml = await resp.text()
        return resp

    def action(self) -> str:
        """The Gather action the last TwiML asks Twilio to call next."""
        start = self.twiml.index('action="') + len('action="')
        return self.twiml[start : self.twiml.index('"', start)].replace("&amp;", "&")

    async def ring(self) -> str:
        assert (await self.post("/twilio/voice")).status == 200
        return self.twiml

    async def press(self, digits: str) -> str:
        assert (await self.post(self.action(), {"Digits": digits})).status == 200
        return self.twiml

    async def silence(self) -> str:
        assert (await self.post(self.action())).status == 200
        return self.twiml

    async def say(self, text: str) -> str:
        assert (
            await self.post(self.action(), {"SpeechResult": text, "Confidence": "0.9"})
        ).status == 200
        return self.twiml


@pytest.fixture
async def zhang(client: Client) -> int:
    created = await add_customer(
        client.app[ENGINE],
        "张伟",
        [
            AccountSpec(
                "3300000001",
                [CALLER],
                feeder="F02-007",
                bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))],
            )
        ],
    )
    return created.customer_id


async def events(client: Client, sid: str = "CA1042bb91000000000000000000000001") -> list[Any]:
    call = await client.app[CALLS].find_by_provider(ProviderRef("twilio", sid))
    assert call is not None
    return (await client.app[CALLS].detail(call.id)).events


async def test_known_outage_caller_hears_it_first(client: Client, zhang: int) -> None:
    await add_outage(client.app[ENGINE], ["F02-007"])
    caller = Caller(client)
    assert "国家电网95598" in await caller.ring()
    twiml = await caller.silence()
    assert "因10kV线路故障跳闸停电" in twiml and "仍然停电，请按1" in twiml
    twiml = await caller.press("1")
    assert "您的报修已记录，工单号" in twiml and "<Hangup" in twiml
    kinds = [e.type for e in await events(client)]
    assert {"customer_identified", "lookup_made", "ticket_linked"} <= set(kinds)


async def test_bill_inquiry_with_arrears_and_late_fee(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    twiml = await caller.press("2")
    assert "目前欠费500元，截至今日违约金9元，合计应缴509元" in twiml


async def test_fault_report_creates_a_ticket_and_a_repeat_urges_it(
    client: Client, zhang: int
) -> None:
    numbers = []
    for sid in ("CA0000000000000000000000000000aaa1", "CA0000000000000000000000000000aaa2"):
        caller = Caller(client, sid)
        await caller.ring()
        await caller.silence()
        await caller.press("1")
        await caller.press("2")
        twiml = await caller.say("家里没电了")
        assert "您的报修已受理" in twiml
        numbers.append(twiml.split("工单号")[1][:40])
    assert numbers[0] == numbers[1]  # the second report urged the first ticket


async def test_hazard_goes_to_the_emergency_queue(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    await caller.press("1")
    twiml = await caller.press("1")
    assert ">emergency</Enqueue>" in twiml and f'waitUrl="{BASE}/twilio/wait"' in twiml
    assert "queued" in [e.type for e in await events(client)]


async def test_unknown_caller_keys_the_account_number(client: Client, zhang: int) -> None:
    caller = Caller(client)
    caller.base |= {"From": "+8613900009999", "Caller": "+8613900009999"}
    await caller.ring()
    twiml = await caller.silence()
    assert 'finishOnKey="#"' in twiml and "请输入您的户号" in twiml
    twiml = await caller.press("3300000001")
    assert "故障报修和停电查询请按1" in twiml
    digits = [e.data for e in await events(client) if e.type == "digits_received"]
    assert {"node": "ask_account", "digits": "******0001"} in digits


async def test_three_invalid_inputs_go_to_an_agent(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    for _ in range(2):
        assert "输入有误" in await caller.press("7")
    assert ">general</Enqueue>" in await caller.press("7")


async def test_english_path(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    twiml = await caller.press("9")
    assert 'language="en-US"' in twiml and "For bills, balance" in twiml


async def test_caller_with_two_accounts(client: Client, zhang: int) -> None:
    await add_customer(client.app[ENGINE], "李娜", [AccountSpec("3300000002", [CALLER])])
    caller = Caller(client)
    await caller.ring()
    twiml = await caller.silence()
    assert "尾号0 0 0 1的户号，请按1" in twiml and "尾号0 0 0 2的户号，请按2" in twiml
    assert "故障报修和停电查询请按1" in await caller.press("2")


async def test_retried_request_does_not_advance_the_flow(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    action = caller.action()
    first = await caller.press("7")
    await caller.post(action, {"Digits": "7"})  # Twilio retries the same request
    assert caller.twiml == first
    assert "输入有误" in await caller.press("7")  # the second real try, not the third


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
async def test_unsigned_or_badly_signed_webhooks_are_refused(
    client: Client, signature: str
) -> None:
    caller = Caller(client)
    resp = await caller.client.post(
        "/twilio/voice",
        data=caller.base,
        headers={"X-Twilio-Signature": signature} if signature else {},
    )
    assert resp.status == 403
    assert (
        await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
        is None
    )


async def test_status_callback_ends_the_call(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    resp = await caller.post(
        "/twilio/status",
        {
            "CallStatus": "completed",
            "Timestamp": "Tue, 10 Mar 2026 02:03:00 +0000",
            "SequenceNumber": "3",
        },
    )
    assert resp.status == 204
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None and found.state == "ended"
    statuses = [e.data for e in await events(client) if e.type == "provider_status"]
    assert statuses[0]["timestamp"] == "Tue, 10 Mar 2026 02:03:00 +0000"


async def test_queue_hangup_is_an_abandon(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    await caller.press("0")
    await caller.post("/twilio/queue-result", {"QueueResult": "hangup", "QueueTime": "30"})
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None and found.state == "abandoned"


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/twilio/step?seq=5", {"Digits": "1"}),
        ("/twilio/wait", fixture("enqueue-wait")),
        ("/twilio/queue-result", fixture("enqueue-action-bridged")),
        ("/twilio/callback", {"Digits": "1"}),
    ],
)
async def test_a_call_never_seen_is_hung_up_and_stores_nothing(
    client: Client, path: str, extra: dict[str, str]
) -> None:
    caller = Caller(client, "CA0000000000000000000000000000dead")
    resp = await caller.post(path, extra)
    assert resp.status == 200 and "<Hangup" in caller.twiml and "<Say" not in caller.twiml
    assert (
        await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
        is None
    )


async def test_a_status_for_a_call_never_seen_creates_no_record(client: Client) -> None:
    caller = Caller(client, "CA0000000000000000000000000000beef")
    completed = {"CallStatus": "completed", "SequenceNumber": "3"}
    assert (await caller.post("/twilio/status", completed)).status == 204
    assert (
        await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
        is None
    )


async def test_fixture_signature_vector() -> None:
    params = fixture("incoming-call")
    assert (
        RequestValidator(TOKEN).compute_signature(
            "https://cc.example.com/twilio/voice/incoming", params
        )
        == "n7sfK4Pg+RnhAevUw2jqMgjpaMY="
    )


async def test_oversized_webhook_body_is_413(client: Client) -> None:
    caller = Caller(client)
    resp = await caller.post("/twilio/voice", {"Padding": "x" * 70000})
    assert resp.status == 413


async def test_repeated_terminal_status_is_harmless(client: Client) -> None:
    caller = Caller(client, "CA0000000000000000000000000000bbb1")
    caller.base |= {"Direction": "outbound-api"}
    ref = ProviderRef("twilio", caller.base["CallSid"])
    await client.app[CALLS].start(Direction.OUTBOUND, "+861095598", CALLER, ref)
    busy = {"CallStatus": "busy", "SequenceNumber": "1"}
    assert (await caller.post("/twilio/status", busy)).status == 204
    assert (await caller.post("/twilio/status", busy)).status == 204  # Twilio retried it
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None and (found.state, found.disposition) == ("failed", "busy")
