"""A server on the embedded defaults (SQLite + `memory://`) stopped and started again — a
kill -9, a crash, or a plain restart: the in-process store starts empty, like a Redis that
lost its data, so the ACD must be rebuilt from SQL as after a Redis loss (issue 17): the
caller who waited is back in line and the ready agent ready again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from agents.models import AgentState
from callcenter.app import create_app
from callcenter.calls.models import ProviderRef
from callcenter.core.clock import ManualClock
from callcenter.web.keys import ACD, CALLS, ENGINE
from tests.adapters.test_twilio_webhooks import BASE, CALLER, TOKEN
from tests.conftest import NOW, app_settings
from tests.factories import AccountSpec, add_customer
from tests.integration.test_agent_desk import Client, FakeTwilioRest, ready_agent, walk_to_billing

ClientMaker = Callable[[web.Application], Awaitable[Client]]


async def started(aiohttp_client: ClientMaker, database: Path) -> Client:
    """The app on the SQLite file and a fresh in-process store, as `serve` starts it."""
    settings = app_settings(
        (f"sqlite+aiosqlite:///{database}", "memory://"),
        CALLCENTER_SERVER__PUBLIC_BASE_URL=BASE,
        TWILIO_AUTH_TOKEN=TOKEN,
        CALLCENTER_ROUTING__RUN_ROUTER="false",
    )
    app = create_app(settings, clock=ManualClock(NOW), twilio_rest=FakeTwilioRest())
    return await aiohttp_client(app)


async def test_a_restart_on_the_embedded_store_rebuilds_the_acd_from_sql(
    aiohttp_client: ClientMaker, tmp_path: Path
) -> None:
    before = await started(aiohttp_client, tmp_path / "cc.db")
    await add_customer(before.app[ENGINE], "张伟", [AccountSpec("3300000001", [CALLER])])
    agent_id, _, ws = await ready_agent(before)
    await ws.close()
    caller = await walk_to_billing(before)
    await before.close()

    after = await started(aiohttp_client, tmp_path / "cc.db")
    acd = after.app[ACD]
    assert await acd.recover() is True
    record = await after.app[CALLS].find_by_provider(ProviderRef("twilio", caller.base["CallSid"]))
    assert record is not None and await acd.waiting_info(record.id) is not None
    assert (await acd.presence(agent_id)).state is AgentState.READY
