"""kill -9 of the server mid-call (issue 17): calls in = records out.

The real server (`python -m callcenter serve`) runs on a PRIVATE PostgreSQL and Redis with a
fake Twilio REST API. Callers ring in over signed webhooks; some stop mid-menu, some wait in
a queue, one is offered to an agent, one talks with another agent. The server is killed with
SIGKILL and started again on the same stores; Twilio then says those calls are over (its
REST call status, as the reconciler asks it). Within a deadline every call that came in has
exactly one record, ended with an end reason, no event twice, and no queue or agent holds a
ghost (the agent who talked wraps up, then both are ready); the status callbacks Twilio could
not deliver while the server was down, posted now, change none of it. (A second delivery of
one status callback: `tests/adapters/test_twilio_status_retry.py`.)"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import Interval, insert, literal, update
from twilio.request_validator import RequestValidator

from agents.reconciler import IVR_AFTER
from callcenter.auth.service import AuthService
from callcenter.core.api import Role
from callcenter.core.clock import SystemClock
from callcenter.devtools.servers import ServerUnavailableError
from callcenter.storage import db
from callcenter.storage.tables import agent_queues, agent_skills, agents, calls
from callcenter.storage.users import SqlCredentialStore
from callcenter.telephony.twilio.twiml import AGENT_LEG
from tests.adapters.test_twilio_webhooks import CALLER, fixture
from tests.conftest import BACKENDS
from tests.factories import AccountSpec, BillSpec, add_customer
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeCall, FakeTwilio
from tests.fallback_servers import PrivatePostgres, PrivateRedis, running
from tests.server_process import ServerProcess

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(BACKENDS == "embedded", reason="needs a real PostgreSQL and Redis"),
]
MID_MENU, QUEUED = 4, 4
DEADLINE_SECONDS = 15.0
TERMINAL = {"ended", "abandoned", "failed", "voicemail"}
AGENTS, PASSWORD = ("agent01", "agent02"), "agent-password-1"


class Phone:
    """One Twilio call to the hotline: signed webhooks posted to the server, the last TwiML."""

    def __init__(self, http: aiohttp.ClientSession, base: str, n: int) -> None:
        self.http = http
        self.base = base
        self.sid = f"CA{n:032x}"
        self.params = fixture("incoming-call") | {"CallSid": self.sid, "From": CALLER}
        self.twiml = ""

    async def post(self, url: str, extra: dict[str, str] | None = None) -> int:
        url = url if url.startswith("http") else self.base + url
        form = self.params | (extra or {})
        sig = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
        async with self.http.post(url, data=form, headers={"X-Twilio-Signature": sig}) as resp:
            self.twiml = await resp.text()
            return resp.status

    async def step(self, digits: str | None = None) -> str:
        """The caller answers the last Gather: digits, or silence (None)."""
        start = self.twiml.index('action="') + len('action="')
        action = self.twiml[start : self.twiml.index('"', start)].replace("&amp;", "&")
        assert await self.post(action, {"Digits": digits} if digits else None) == 200
        return self.twiml

    async def to_menu(self) -> None:
        assert await self.post("/twilio/voice") == 200
        assert "<Gather" in await self.step()  # the main menu, waiting for a key

    async def to_queue(self) -> None:
        await self.to_menu()
        await self.step("2")
        assert ">billing</Enqueue>" in await self.step("0")

    async def hung_up(self) -> int:
        """Twilio's status callback at the end of the call."""
        status = {"CallStatus": "completed", "CallDuration": "42", "SequenceNumber": "0"}
        when = {"Timestamp": "Mon, 07 Dec 2026 00:10:00 +0000"}
        return await self.post("/twilio/status", status | when)


@pytest.fixture
def stores() -> Iterator[tuple[PrivatePostgres, PrivateRedis]]:
    try:
        with running(PrivatePostgres) as postgres, running(PrivateRedis) as redis:
            yield postgres, redis
    except ServerUnavailableError as err:
        pytest.skip(str(err))


@pytest.fixture
async def twilio() -> AsyncIterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
async def server(
    stores: tuple[PrivatePostgres, PrivateRedis],
    twilio: tuple[FakeTwilio, str],
    tmp_path: Path,
    http: aiohttp.ClientSession,
) -> AsyncIterator[ServerProcess]:
    postgres, redis = stores
    env = {
        "CALLCENTER_DATABASE__URL": postgres.url,
        "CALLCENTER_REDIS__URL": redis.url,
        "CALLCENTER_SERVER__DATA_DIR": str(tmp_path),
        "CALLCENTER_DEMO__LOAD_ON_FIRST_START": "false",
        "CALLCENTER_OUTBOUND__RUN_DIALER": "false",
        "CALLCENTER_ROUTING__RECONCILE_SECONDS": "1",
        "CALLCENTER_ROUTING__AGENTS_REFRESH_SECONDS": "1",
        "CALLCENTER_TWILIO__API_BASE_URL": twilio[1],
        "CALLCENTER_LOGGING__LEVEL": "WARNING",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    process = ServerProcess(env)
    try:
        await process.start(http)
        yield process
    finally:
        process.close()


async def prepare(database_url: str) -> dict[str, str]:
    """The caller's customer record, the billing agents (`AGENTS`), and a supervisor's bearer
    header."""
    engine = db.create_engine(database_url)
    try:
        bill = BillSpec("2026-01", "500.00", date(2026, 2, 20))
        await add_customer(engine, "张伟", [AccountSpec("3300000001", [CALLER], bills=[bill])])
        auth = AuthService(SqlCredentialStore(engine), SystemClock())
        for name in AGENTS:
            user = await auth.add_user(name, Role.AGENT, PASSWORD)
            device = {"device_kind": "twilio_client", "device_address": name}
            async with engine.begin() as conn:
                await conn.execute(
                    insert(agents).values(user_id=user.id, languages="zh-CN", **device)
                )
                await conn.execute(insert(agent_skills).values(agent_id=user.id, skill="billing"))
                await conn.execute(insert(agent_queues).values(agent_id=user.id, queue="billing"))
        _, secret = await auth.create_token(Role.SUPERVISOR, "kill test")
    finally:
        await engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


async def agent_ready(http: aiohttp.ClientSession, base: str, name: str) -> dict[str, str]:
    """The agent signs in and goes ready (once the server has read the new agent); the
    agent's bearer header."""
    login = {"username": name, "password": PASSWORD}
    async with http.post(f"{base}/api/auth/login", json=login) as resp:
        auth = {"Authorization": "Bearer " + (await resp.json())["token"]}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        async with http.post(f"{base}/api/agents/me/login", headers=auth) as resp:
            if resp.status == 200 or time.monotonic() > deadline:
                assert resp.status == 200, await resp.text()
                break
        await asyncio.sleep(0.1)
    ready = {"state": "ready"}
    async with http.put(f"{base}/api/agents/me/state", headers=auth, json=ready) as resp:
        assert resp.status == 200, await resp.text()
    return auth


async def wallboard(http: aiohttp.ClientSession, base: str, auth: dict[str, str]) -> Any:
    """Each agent's (state, call, id) on the wallboard, by name; the queues' waiting calls."""
    now = await get(http, f"{base}/api/stats/realtime", auth)
    on = {a["name"]: (a["state"], a["call_id"], a["agent_id"]) for a in now["agents"]}
    return on, {q["queue"]: q["waiting"] for q in now["queues"] if q["waiting"]}


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll `check` until it holds; fail at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not await check():
        assert time.monotonic() < deadline, f"{check.__name__}: not within {DEADLINE_SECONDS} s"
        await asyncio.sleep(0.1)


async def outage_lasted(database_url: str, down: timedelta) -> None:
    """The server stayed down `down`: the calls began that much earlier (the reconciler asks
    Twilio about calls in the IVR a while after they began, `IVR_AFTER`)."""
    engine = db.create_engine(database_url)
    try:
        async with engine.begin() as conn:
            earlier = calls.c.started_at - literal(down, Interval())
            await conn.execute(update(calls).values(started_at=earlier))
    finally:
        await engine.dispose()


async def get(http: aiohttp.ClientSession, url: str, auth: dict[str, str]) -> Any:
    async with http.get(url, headers=auth) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def records(http: aiohttp.ClientSession, base: str, auth: dict[str, str]) -> list[Any]:
    """Every call record with its timeline."""
    found = await get(http, f"{base}/api/calls?limit=500", auth)
    return [await get(http, f"{base}/api/calls/{c['id']}", auth) for c in found["items"]]


def sid_of(detail: dict[str, Any]) -> str:
    (started,) = [e for e in detail["events"] if e["type"] == "started"]
    return str(started["data"]["provider_id"])


def duplicated(events: list[dict[str, Any]]) -> bool:
    """Whether an event was written twice (a replayed write keeps its time; a status
    callback carries Twilio's sequence number), or the numbering has a gap or a repeat."""
    seen = Counter(
        (e["type"], repr(sorted(e["data"].items())), e["type"] != "provider_status" and e["at"])
        for e in events
    )
    ends = sum(e["type"] == "hung_up" for e in events)
    numbered = [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return max(seen.values()) > 1 or ends != 1 or not numbered


def ended(detail: dict[str, Any]) -> bool:
    call = detail["call"]
    return call["state"] in TERMINAL and call["end_reason"] is not None


async def agent_now(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], name: str, state: str
) -> tuple[str, str, int]:
    """Once the agent is in `state`: its (state, call, id)."""

    async def there() -> bool:
        return bool((await wallboard(http, base, auth))[0][name][0] == state)

    await eventually(there)
    found: tuple[str, str, int] = (await wallboard(http, base, auth))[0][name]
    return found


async def calls_in(
    http: aiohttp.ClientSession, base: str, auth: dict[str, str], fake: FakeTwilio
) -> tuple[list[Phone], dict[str, str]]:
    """The calls as the server is killed: the first agent talking with a caller, the second
    offered one (its device ringing), callers waiting in the queue and callers at the main
    menu; all live at Twilio. The calls, and the talking agent's bearer header."""
    phones = [Phone(http, base, n + 1) for n in range(MID_MENU + QUEUED)]
    for phone in phones:
        now = datetime.now(UTC)
        fake.calls.append(FakeCall(phone.sid, "+861095598", CALLER, now, {}, "in-progress", now))
    talking, offered, *waiting = phones[MID_MENU:]
    desk = await agent_ready(http, base, AGENTS[0])
    await talking.to_queue()
    _, call_id, agent_id = await agent_now(http, base, auth, AGENTS[0], "reserved")
    answered = {"CallStatus": "in-progress"}  # the agent's leg answered: the offer taken
    assert await talking.post(f"{AGENT_LEG}?call={call_id}&agent={agent_id}", answered) == 204
    await agent_now(http, base, auth, AGENTS[0], "on_call")
    await agent_ready(http, base, AGENTS[1])
    await offered.to_queue()
    await agent_now(http, base, auth, AGENTS[1], "reserved")
    await asyncio.gather(*(p.to_menu() for p in phones[:MID_MENU]))
    await asyncio.gather(*(p.to_queue() for p in waiting))
    return phones, desk


async def test_calls_in_equal_records_out_after_kill_9(
    server: ServerProcess,
    stores: tuple[PrivatePostgres, PrivateRedis],
    twilio: tuple[FakeTwilio, str],
    http: aiohttp.ClientSession,
) -> None:
    fake, base = twilio[0], server.base
    auth = await prepare(stores[0].url)
    phones, desk = await calls_in(http, base, auth, fake)

    server.kill()
    for phone in phones:  # the callers hung up while nobody answered
        fake.progress(phone.sid, "completed")
    await outage_lasted(stores[0].url, IVR_AFTER + timedelta(seconds=30))
    await server.start(http)

    async def settled() -> bool:  # every call over; the agent who talked wraps up
        over = all(c["call"]["end_reason"] for c in await records(http, base, auth))
        on, queued = await wallboard(http, base, auth)
        free = on[AGENTS[0]][0] == "wrap_up" and on[AGENTS[1]][:2] == ("ready", None)
        return over and free and not queued

    await eventually(settled)
    resolved = {"disposition": "resolved"}
    async with http.post(f"{base}/api/agents/me/wrap-up", headers=desk, json=resolved) as resp:
        assert resp.status == 200, await resp.text()
    found = await records(http, base, auth)
    assert sorted(sid_of(c) for c in found) == sorted(p.sid for p in phones)  # in = out
    assert [c["call"] for c in found if not ended(c)] == []
    for phone in phones:  # the status callback Twilio could not deliver, retried now
        assert await phone.hung_up() == 204
    after = await records(http, base, auth)
    assert [c["call"] for c in after] == [c["call"] for c in found]  # ended once, as before
    assert [c["call"]["id"] for c in after if duplicated(c["events"])] == []
    on, queued = await wallboard(http, base, auth)
    assert [on[name][:2] for name in AGENTS] == [("ready", None)] * 2 and queued == {}
