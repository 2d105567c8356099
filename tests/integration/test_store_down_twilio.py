"""Every Twilio webhook answers TwiML when something behind it fails (the store made to
fail by a wrapper that raises): the apology and a retry of the same step, or the duty
number; status callbacks 204; refusals and bad input keep their answer; the call goes on
once the store is back. `/readyz` names each store's state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.exceptions
from aiohttp import web
from sqlalchemy.exc import OperationalError

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.core.errors import UnavailableError
from callcenter.storage import db
from callcenter.web.journal import JOURNAL_BACKLOG
from callcenter.web.keys import ACD, CALLS, IVR
from tests.adapters.test_twilio_webhooks import BASE, TOKEN, Caller, Client
from tests.conftest import NOW, app_settings

ClientMaker = Callable[[web.Application], Awaitable[Client]]
APOLOGY_ZH = "非常抱歉，系统暂时无法处理您的来电"
APOLOGY_EN = "We are sorry, our system cannot handle your call right now."
FAILURES = [
    UnavailableError("the database cannot be reached"),
    OperationalError("SELECT 1", {}, Exception("connection refused")),
    redis.exceptions.ConnectionError("Connection refused"),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    RuntimeError("a bug"),
]


async def app_client(aiohttp_client: ClientMaker, stores: tuple[str, str], **env: str) -> Client:
    settings = app_settings(
        stores, CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE, TWILIO_AUTH_TOKEN=TOKEN, **env
    )
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


@pytest.fixture
async def client(aiohttp_client: ClientMaker, stores: tuple[str, str]) -> Client:
    return await app_client(aiohttp_client, stores)


def failing(err: Exception) -> Callable[..., Awaitable[Any]]:
    async def fail(*args: object, **kwargs: object) -> Any:
        raise err

    return fail


def redirect_of(twiml: str) -> str:
    start = twiml.index('<Redirect method="POST">') + len('<Redirect method="POST">')
    return twiml[start : twiml.index("</Redirect>")].replace("&amp;", "&")


@pytest.mark.parametrize("err", FAILURES, ids=lambda e: type(e).__name__)
async def test_a_failed_step_apologises_retries_and_the_call_goes_on(
    client: Client,
    err: Exception,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caller = Caller(client)
    await caller.ring()
    with monkeypatch.context() as patch:
        patch.setattr(client.app[IVR], "handle", failing(err))
        resp = await caller.post(caller.action())
    assert resp.status == 200 and resp.content_type == "application/xml"
    assert APOLOGY_ZH in caller.twiml and APOLOGY_EN not in caller.twiml  # the call's language
    assert "fb_retry=1" in redirect_of(caller.twiml) and "/twilio/step?seq=" in caller.twiml
    logged = [r for r in caplog.records if "/twilio/step" in r.getMessage()]
    assert len(logged) == 1 and type(err).__name__ in logged[0].getMessage()
    assert (await caller.post(redirect_of(caller.twiml))).status == 200  # the store is back
    assert "<Gather" in caller.twiml and APOLOGY_ZH not in caller.twiml


async def test_the_first_webhook_failing_apologises_in_chinese_then_english(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[CALLS], "start", failing(FAILURES[1]))
    caller = Caller(client)
    assert (await caller.post("/twilio/voice")).status == 200
    assert caller.twiml.index(APOLOGY_ZH) < caller.twiml.index(APOLOGY_EN)
    assert redirect_of(caller.twiml) == f"{BASE}/twilio/voice?fb_retry=1"


async def test_an_english_call_hears_the_apology_in_english(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.press("9")
    monkeypatch.setattr(client.app[IVR], "handle", failing(FAILURES[2]))
    await caller.post(caller.action())
    assert APOLOGY_EN in caller.twiml and APOLOGY_ZH not in caller.twiml


async def test_after_the_retries_the_caller_hears_goodbye(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = Caller(client)
    await caller.ring()
    monkeypatch.setattr(client.app[IVR], "handle", failing(FAILURES[0]))
    await caller.post(caller.action())
    for _ in range(2):  # [twilio] fallback_retries = 2
        await caller.post(redirect_of(caller.twiml))
    assert "请您稍后再拨" in caller.twiml and "please call again later" not in caller.twiml
    assert "<Redirect" not in caller.twiml and caller.twiml.endswith("<Hangup /></Response>")


async def test_with_a_fallback_number_the_caller_is_dialled_to_it(
    aiohttp_client: ClientMaker, stores: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await app_client(
        aiohttp_client, stores, CALLCENTER_TWILIO__FALLBACK_NUMBER="+861095598000"
    )
    caller = Caller(client)
    await caller.ring()
    monkeypatch.setattr(client.app[ACD], "waiting_info", failing(FAILURES[3]))
    assert (await caller.post("/twilio/wait")).status == 200
    assert APOLOGY_ZH in caller.twiml and "<Dial>+861095598000</Dial>" in caller.twiml


@pytest.mark.parametrize("path", ["/twilio/status", "/twilio/agent-leg?call=c1&agent=7"])
async def test_a_failed_status_callback_answers_no_content(
    client: Client, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller = Caller(client)
    await caller.ring()
    monkeypatch.setattr(client.app[CALLS], "find_by_provider", failing(FAILURES[1]))
    monkeypatch.setattr(client.app[ACD], "agent_left", failing(FAILURES[2]))
    resp = await caller.post(path, {"CallStatus": "completed"})
    assert resp.status == 204 and caller.twiml == ""


async def test_refusals_and_bad_input_keep_their_answer_while_a_store_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app[CALLS], "find_by_provider", failing(FAILURES[0]))
    caller = Caller(client)
    assert (await caller.post("/twilio/voice", signature="bad")).status == 403
    caller.base.pop("CallSid")
    resp = await caller.post("/twilio/step")
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid-webhook"


async def test_readyz_names_each_store_and_what_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 200 and body["checks"] == {
        "database": "ok",
        "redis": "ok",
        "journal": "ok",
    }
    assert "down" not in body
    monkeypatch.setattr(db, "ping", failing(FAILURES[0]))
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 503 and body["down"] == ["database"]
    assert body["checks"]["redis"] == "ok" and body["checks"]["database"] != "ok"


@pytest.mark.parametrize(("backlog", "said"), [(0, "ok"), (3, "3 events waiting to be written")])
async def test_readyz_reports_the_journal_backlog_when_the_app_has_one(
    aiohttp_client: ClientMaker, stores: tuple[str, str], backlog: int, said: str
) -> None:
    app = create_app(app_settings(stores), clock=ManualClock(NOW))
    waiting = type("Backlog", (), {"pending": lambda self: backlog})()
    client = await aiohttp_client(app)
    client.app[JOURNAL_BACKLOG].pending = waiting.pending  # type: ignore[method-assign]
    resp = await client.get("/readyz")
    assert resp.status == 200 and (await resp.json())["checks"]["journal"] == said
