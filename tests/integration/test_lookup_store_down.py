"""A PRIVATE real PostgreSQL stopped after the call started: the caller's look-up cannot be
answered, so the caller hears that the account cannot be looked up now and reaches an agent's
queue or the main menu, in valid TwiML; a caller identified before the stop is still told the
bill from the call's profile copy (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from callcenter.calls.models import ProviderRef
from callcenter.web.keys import ACD, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import CALLER, Caller, Client
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.fallback_servers import PrivatePostgres, running
from tests.integration.test_store_down_twilio import ClientMaker, app_client

CANNOT_ZH = "很抱歉，系统暂时无法查询您的账户信息。人工服务请按0，返回主菜单请按1。"
MAIN_MENU_ZH = "故障报修和停电查询请按1"
TO_AGENT_ZH = "正在为您转接人工服务，请稍候。"
BILL_ZH = "目前欠费500元"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    with running(PrivatePostgres) as server:
        yield server


async def hotline(aiohttp_client: ClientMaker, postgres: PrivatePostgres, journal: Path) -> Client:
    """The app on the private server, its call journal of the outage kept apart (the default
    directory is shared: a later app would replay this test's calls into its database)."""
    stores = (postgres.url, "memory://")
    client = await app_client(aiohttp_client, stores, CALLCENTER_STORAGE__JOURNAL_DIR=str(journal))
    bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
    account = AccountSpec("3300000001", [CALLER], feeder="F02-007", bills=[bill])
    await add_customer(client.app[ENGINE], "张伟", [account])
    return client


def parsed(twiml: str) -> ElementTree.Element:
    """The TwiML's root (it parses: valid XML, a <Response>)."""
    root = ElementTree.fromstring(twiml)
    assert root.tag == "Response"
    return root


def said(twiml: str) -> str:
    """Every <Say> of the TwiML, in order."""
    return " ".join(say.text or "" for say in parsed(twiml).iter("Say"))


@pytest.fixture
async def cannot_look_up(
    aiohttp_client: ClientMaker, postgres: PrivatePostgres, tmp_path: Path
) -> tuple[Client, Caller, str]:
    """A call started, PostgreSQL stopped, then the caller's look-up: the caller hears it
    cannot be looked up now, asked for a key (no apology, no retry)."""
    client = await hotline(aiohttp_client, postgres, tmp_path)
    caller = Caller(client)
    await caller.ring()
    found = await client.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert found is not None
    postgres.stop()
    twiml = await caller.silence()  # no language key: the caller's look-up
    assert said(twiml) == CANNOT_ZH and [v.tag for v in parsed(twiml)] == ["Gather"]
    return client, caller, found.id


async def test_zero_puts_the_caller_in_line_for_an_agent(
    cannot_look_up: tuple[Client, Caller, str],
) -> None:
    client, caller, call_id = cannot_look_up
    root = parsed(await caller.press("0"))
    assert [v.tag for v in root] == ["Say", "Enqueue"]
    assert said(caller.twiml) == TO_AGENT_ZH and root[1].text == "general"
    assert await client.app[ACD].waiting_info(call_id) is not None


async def test_one_is_the_main_menu_again(cannot_look_up: tuple[Client, Caller, str]) -> None:
    caller = cannot_look_up[1]
    root = parsed(await caller.press("1"))
    assert [v.tag for v in root] == ["Gather"] and MAIN_MENU_ZH in said(caller.twiml)


async def test_a_caller_identified_before_the_stop_still_hears_the_bill(
    aiohttp_client: ClientMaker, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    client = await hotline(aiohttp_client, postgres, tmp_path)
    caller = Caller(client)
    await caller.ring()
    assert MAIN_MENU_ZH in said(await caller.silence())
    postgres.stop()
    heard = said(await caller.press("2"))
    assert BILL_ZH in heard and CANNOT_ZH not in heard
