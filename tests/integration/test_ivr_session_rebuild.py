"""Issue 17: Redis loses its data mid-call (FLUSHALL on a PRIVATE real Redis, or the embedded
store emptied); the caller's next step rebuilds the IVR session from the call record in SQL:
they hear the question of the menu they were in again, in their language, still identified —
the bill is read without keying the account again. Real PostgreSQL with a private Redis,
and the embedded defaults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from aiohttp import web

from callcenter.app import create_app
from callcenter.core.clock import ManualClock
from callcenter.state.ivr_sessions_local import LocalIvrSessionStore
from callcenter.web.keys import ENGINE, IVR, REDIS
from tests.adapters.test_twilio_webhooks import (
    BASE,
    CALLER,
    TOKEN,
    Caller,
    Client,
    events,
    zhang,
)
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, add_customer
from tests.fallback_servers import PrivateRedis, running

__all__ = ["zhang"]  # the fixture: Zhang Wei, account 3300000001, 500 yuan overdue

GREETING_ZH = "你用电，我用心"
BILL_MENU_ZH = "重听请按1，缴费渠道请按2"
ARREARS_ZH = "目前欠费500元，截至今日违约金9元，合计应缴509元"
MAIN_MENU_ZH = "故障报修和停电查询请按1"
MAIN_MENU_EN = "For fault repair and outage information, press 1."
ARREARS_EN = "the amount overdue is 500 yuan"
STRANGER = "+8613900009999"


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[str, str]]:
    """SQLite with the embedded Redis, or PostgreSQL with a private Redis (stopped after
    the app)."""
    if database_url.startswith("sqlite"):
        yield database_url, "memory://"
        return
    with running(PrivateRedis) as redis_server:
        yield database_url, redis_server.url


@pytest.fixture
async def client(
    stores: tuple[str, str], aiohttp_client: Callable[[web.Application], Awaitable[Client]]
) -> Client:
    env = {"CALLCENTER_SERVER__PUBLIC_BASE_URL": BASE, "TWILIO_AUTH_TOKEN": TOKEN}
    settings = app_settings(stores, **env)
    return await aiohttp_client(create_app(settings, clock=ManualClock(NOW)))


async def lose_redis(client: Client) -> None:
    """A Redis restarted without persistence: every key gone (the private one: FLUSHALL).
    The embedded store lives in the process, and since issue 17 its IVR sessions live in
    the process beside it (`LocalIvrSessionStore`): it loses them with its keys."""
    await client.app[REDIS].flushall()
    assert await client.app[REDIS].dbsize() == 0
    sessions = client.app[IVR]._store
    if isinstance(sessions, LocalIvrSessionStore):
        sessions.clear()


async def test_an_identified_caller_in_a_submenu_hears_it_again_after_redis_is_lost(
    client: Client, zhang: int
) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()  # Chinese; identified by the calling number
    assert BILL_MENU_ZH in await caller.press("2")  # the bill, then its menu
    await lose_redis(client)
    twiml = await caller.press("1")  # "hear it again", answered to a question now unknown
    assert BILL_MENU_ZH in twiml and GREETING_ZH not in twiml and ARREARS_ZH not in twiml
    assert 'language="zh-CN"' in twiml and "<Gather" in twiml
    assert ARREARS_ZH in await caller.press("1")  # the bill, with no account keyed
    rebuilt = [e.data for e in await events(client) if e.type == "ivr_rebuilt"]
    assert rebuilt == [{"flow": "95598", "node": "bill_menu", "language": "zh-CN"}]


async def test_an_english_caller_who_keyed_the_account_keeps_both(
    client: Client, zhang: int
) -> None:
    caller = Caller(client)
    caller.base |= {"From": STRANGER, "Caller": STRANGER}  # not registered: keys the account
    await caller.ring()
    await caller.press("9")  # English
    assert MAIN_MENU_EN in await caller.press("3300000001")
    await lose_redis(client)
    twiml = await caller.press("2")
    assert MAIN_MENU_EN in twiml and 'language="en-US"' in twiml and "Welcome" not in twiml
    assert ARREARS_EN in await caller.press("2")  # still identified: the bill is read


async def test_a_caller_who_chose_one_of_their_accounts_keeps_that_one(
    client: Client, zhang: int
) -> None:
    await add_customer(client.app[ENGINE], "李娜", [AccountSpec("3300000002", [CALLER])])
    caller = Caller(client)
    await caller.ring()
    assert "尾号0 0 0 2的户号，请按2" in await caller.silence()
    assert MAIN_MENU_ZH in await caller.press("2")
    await lose_redis(client)
    assert MAIN_MENU_ZH in await caller.press("2")
    twiml = await caller.press("2")
    assert "户号3 3 0 0 0 0 0 0 0 2" in twiml and "目前没有欠费" in twiml  # not Zhang's bill


async def test_after_the_call_ended_a_lost_session_is_not_brought_back(
    client: Client, zhang: int
) -> None:
    caller = Caller(client)
    await caller.ring()
    await caller.silence()
    step = caller.action()
    await caller.post("/twilio/status", {"CallStatus": "completed"})
    await lose_redis(client)
    await caller.post(step, {"Digits": "1"})  # a late step of the call
    assert "<Hangup" in caller.twiml and "<Say" not in caller.twiml
    assert "ivr_rebuilt" not in [e.type for e in await events(client)]
