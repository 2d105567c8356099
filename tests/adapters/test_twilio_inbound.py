"""Inbound calls on Twilio as a black-box Twilio drives them: signed posts that follow the
TwiML's own (absolute) URLs; copies of a request, calls after their end, English callers,
big customers in an outage area, full queues, and the agent's REST-bridged Dial."""

from __future__ import annotations

import asyncio
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from agents.center import SYSTEM
from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import CALLER, TOKEN, fixture
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, BillSpec, add_customer, add_outage
from tests.integration.test_agent_desk import FakeTwilioRest, add_agent

Client = TestClient[web.Request, web.Application]
SITE = "https://hotline.example.com"
BASE = SITE + "/cc"  # behind a proxy that adds a path prefix
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SID = "CA5eb0000000000000000000000000001"


class Phone:
    """Twilio as seen from outside: posts where the last TwiML says, signed over the
    absolute URL it posts to."""

    def __init__(self, client: Client, base: str, sid: str = SID, caller: str = CALLER) -> None:
        self.client = client
        self.base = base
        self.params = fixture("incoming-call") | {"CallSid": sid, "From": caller, "Caller": caller}
        self.twiml = ""

    async def post(self, url: str, extra: dict[str, str] | None = None) -> str:
        absolute = url if url.startswith("http") else self.base + url
        assert absolute.startswith(self.base), f"{absolute} is not under {self.base}"
        params = self.params | (extra or {})
        signature = RequestValidator(TOKEN).compute_signature(absolute, params)
        path = absolute.removeprefix(self.base)
        resp = await self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        assert resp.status in (200, 204), await resp.text()
        self.twiml = await resp.text()
        return self.twiml

    def attribute(self, verb: str, name: str) -> str:
        found = ET.fromstring(self.twiml).find(f".//{verb}")
        assert found is not None, f"no <{verb}> in {self.twiml}"
        return str(found.get(name))

    def urls(self) -> list[str]:
        found = re.findall(r'(?:action|waitUrl)="([^"]+)"', self.twiml) + re.findall(
            r"<Redirect[^>]*>([^<]+)</Redirect>", self.twiml
        )
        return [html.unescape(url) for url in found]

    async def ring(self) -> str:
        return await self.post("/twilio/voice")

    async def press(self, digits: str) -> str:
        return await self.post(
            self.attribute("Gather", "action").replace("&amp;", "&"), {"Digits": digits}
        )

    async def silence(self) -> str:
        return await self.post(self.attribute("Gather", "action").replace("&amp;", "&"))

    async def wait(self) -> str:
        return await self.post(self.attribute("Enqueue", "waitUrl"), of_this_call("enqueue-wait"))


def of_this_call(name: str) -> dict[str, str]:
    """A recorded request's own parameters, without the call they were recorded for."""
    ids = {"CallSid", "AccountSid", "From", "To", "Caller", "Called"}
    return {k: v for k, v in fixture(name).items() if k not in ids}


@pytest.fixture
def rest() -> FakeTwilioRest:
    return FakeTwilioRest()


def app_for(
    stores: tuple[str, str], rest: FakeTwilioRest, clock: ManualClock | None = None, **env: str
) -> web.Application:
    settings = app_settings(
        stores,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__RUN_ROUTER="false",
        CALLCENTER_REDIS__KEY_PREFIX=f"cctest:{id(rest)}:",
        **env,
    )
    voices = {"en-US": "Polly.Joanna"}
    settings = settings.model_copy(
        update={"twilio": settings.twilio.model_copy(update={"voices": voices})}
    )
    return create_app(settings, clock=clock or ManualClock(NOW), twilio_rest=rest)


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    rest: FakeTwilioRest,
) -> Client:
    return await aiohttp_client(app_for(stores, rest, CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE))


async def customer(client: Client, **options: Any) -> int:
    accounts = options.pop("accounts", None) or [
        AccountSpec(
            "3300000001",
            [CALLER],
            feeder="F02-007",
            bills=[BillSpec("2026-01", "500.00", date(2026, 2, 20))],
        )
    ]
    return (await add_customer(client.app[ENGINE], "张伟", accounts, **options)).customer_id


async def events(client: Client, kind: str | None = None) -> list[Any]:
    call = await client.app[CALLS].find_by_provider(ProviderRef("twilio", SID))
    assert call is not None
    found = (await client.app[CALLS].detail(call.id)).events
    return [e for e in found if kind is None or e.type == kind]


async def to_billing_queue(phone: Phone) -> None:
    await phone.ring()
    await phone.silence()
    await phone.press("2")
    assert ">billing</Enqueue>" in await phone.press("0")


async def test_every_url_is_absolute_and_keeps_the_proxy_prefix(client: Client) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await phone.ring()
    assert phone.urls() and all(u.startswith(BASE + "/twilio/") for u in phone.urls())
    await to_billing_queue(Phone(client, BASE, sid=SID[:-1] + "2"))
    await phone.silence()
    await phone.press("2")
    await phone.press("0")
    assert phone.attribute("Enqueue", "waitUrl") == BASE + "/twilio/wait"
    assert phone.attribute("Enqueue", "action") == BASE + "/twilio/queue-result"


async def test_copies_of_one_step_posted_together_advance_the_flow_once(client: Client) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await phone.ring()
    await phone.silence()
    action = phone.attribute("Gather", "action")
    replies = await asyncio.gather(*(phone.post(action, {"Digits": "2"}) for _ in range(3)))
    assert len(set(replies)) == 1 and "目前欠费500元" in replies[0]
    chosen = [e for e in await events(client, "digits_received") if e.data["node"] == "main_menu"]
    assert len(chosen) == 1
    assert [e.data["lookup"] for e in await events(client, "lookup_made")].count("bill") == 1


async def test_after_the_call_completed_every_webhook_hangs_up_and_changes_nothing(
    client: Client,
) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await to_billing_queue(phone)
    enqueued = phone.twiml
    step_url = BASE + "/twilio/step?seq=3"
    await phone.post("/twilio/status", {"CallStatus": "completed", "CallDuration": "30"})
    before = len(await events(client))
    phone.twiml = enqueued
    for url, extra in [
        (step_url, {"Digits": "0"}),
        (phone.attribute("Enqueue", "waitUrl"), of_this_call("enqueue-wait")),
        (phone.attribute("Enqueue", "action"), of_this_call("enqueue-action-bridged")),
        ("/twilio/callback", {"Digits": "1"}),
    ]:
        assert "<Hangup" in await phone.post(url, extra) and "<Say" not in phone.twiml
    assert len(await events(client)) == before
    call = await client.app[CALLS].find_by_provider(ProviderRef("twilio", SID))
    assert call is not None and call.state == "abandoned"
    assert await client.app[ACD].waiting_info(call.id) is None


async def test_an_english_caller_hears_the_queue_in_english_with_the_voice(
    client: Client,
) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await phone.ring()
    await phone.press("9")
    assert "For an agent, press 0" in phone.twiml
    await phone.press("0")
    assert ">english</Enqueue>" in phone.twiml
    said = await phone.wait()
    assert "ahead of you" in said or "next in line" in said
    assert not CHINESE.search(said)
    assert 'language="en-US"' in said and 'voice="Polly.Joanna"' in said


async def test_the_english_option_is_spoken_in_english(client: Client) -> None:
    await customer(client)
    twiml = await Phone(client, BASE).ring()
    says = ET.fromstring(twiml).findall(".//Say")
    english = [s for s in says if "For English" in (s.text or "")]
    assert english and all(s.get("language") == "en-US" for s in english)


async def test_a_big_customer_in_an_outage_area_keeps_priority_and_manager(
    client: Client,
) -> None:
    manager = await add_agent(client, "manager01", {"priority": 3, "fault": 1})
    await customer(client, manager_id=manager)
    await add_outage(client.app[ENGINE], ["F02-007"])
    phone = Phone(client, BASE)
    await phone.ring()
    assert "仍然停电，请按1" in await phone.silence()
    assert ">fault</Enqueue>" in await phone.press("0")
    queued = (await events(client, "queued"))[-1].data
    assert (queued["queue"], queued["priority"], queued["preferred_agent"]) == ("fault", 1, manager)


async def test_words_at_a_keys_menu_are_a_try_not_a_hang_up(client: Client) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await phone.ring()
    await phone.silence()
    action = phone.attribute("Gather", "action")
    twiml = await phone.post(action, {"SpeechResult": "我要交电费", "Confidence": "0.8"})
    assert "输入有误" in twiml and "<Gather" in twiml


async def test_the_account_chooser_sends_to_an_agent_after_its_tries(client: Client) -> None:
    await customer(
        client, accounts=[AccountSpec("3300000001", [CALLER]), AccountSpec("3300000002", [CALLER])]
    )
    phone = Phone(client, BASE)
    await phone.ring()
    assert "尾号0 0 0 2的户号，请按2" in await phone.silence()
    for _ in range(2):
        assert "输入有误" in await phone.press("7")
    assert ">general</Enqueue>" in await phone.press("7")


async def test_a_full_queue_keeps_the_caller_waiting_not_the_survey(client: Client) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await to_billing_queue(phone)
    twiml = await phone.post(
        phone.attribute("Enqueue", "action"), {"QueueResult": "queue-full", "QueueTime": "0"}
    )
    assert "满意" not in twiml and "<Redirect" in twiml
    held = await phone.post(phone.urls()[-1])
    assert ("<Play>" in held and "位客户" in held) or "您是下一位" in held
    assert "<Redirect" in held  # the hold loop goes on outside Twilio's queue
    assert "满意" not in held


async def test_the_tone_before_speech_is_played_and_served(client: Client) -> None:
    await customer(client)
    phone = Phone(client, BASE)
    await phone.ring()
    await phone.silence()
    await phone.press("1")
    twiml = await phone.press("2")
    assert f"<Play>{BASE}/twilio/tone.wav</Play>" in twiml
    resp = await client.get("/twilio/tone.wav")
    assert resp.status == 200 and (await resp.read())[:4] == b"RIFF"


async def test_the_agents_dial_gets_absolute_urls_without_a_public_base_url(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    rest: FakeTwilioRest,
) -> None:
    client = await aiohttp_client(app_for(stores, rest))
    origin = str(client.make_url("/")).rstrip("/")
    await customer(client)
    agent = await add_agent(client, "agent01", {"billing": 1})
    await client.app[ACD].login(agent, SYSTEM)
    await client.app[ACD].set_state(agent, "ready", None, SYSTEM)
    phone = Phone(client, origin)
    await to_billing_queue(phone)
    assert await client.app[ACD].route() == 1
    _, twiml, _ = rest.updates[-1]
    assert twiml is not None
    urls = re.findall(r'(?:action|statusCallback)="([^"]+)"', twiml)
    assert urls and all(u.startswith(origin + "/twilio/") for u in urls)
