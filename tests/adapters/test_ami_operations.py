"""The AMI session as operations see it (issue 12, item 13): `/readyz` names the AMI when this
instance holds the session and Asterisk refuses the login (the recorded `ami-login-failure`
answer), but not when another instance holds it; a refused QueueStatus is logged as an error
with Asterisk's message; a CDR finds its call record by the `CC_CALL_ID` the dialplan put
in its UserField when the channel's Uniqueid is not known."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from callcenter.app import create_app
from callcenter.calls.models import Direction
from callcenter.core.clock import ManualClock
from callcenter.state.keys import Keys
from callcenter.web.keys import AMI, CALLS, REDIS, SETTINGS
from tests.adapters.test_ami_service import until
from tests.ami_helpers import BANNER, FakeAmi, event, list_reply, read_action, recorded, response
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]
NO_QUEUE_STATUS = (
    "Invalid/unknown command: QueueStatus. Use Action: ListCommands to show available commands."
)


def refused_login() -> bytes:
    """Asterisk 22's answer to a Login with a wrong secret, as recorded (its ActionID is
    replaced with the client's)."""
    sent, _ = recorded("ami-login-failure")
    blocks = sent[len(BANNER) :].split(b"\r\n\r\n")
    return next(b for b in blocks if b"Authentication failed" in b) + b"\r\n\r\n"


class Asterisk:
    """A scripted Asterisk: Login refused (as recorded) or accepted; no channels; QueueStatus
    answered or refused; events pushed by the test once logged in."""

    def __init__(self, *, login_ok: bool = True, queue_status: bool = True) -> None:
        self.login_ok = login_ok
        self.queue_status = queue_status
        self.pushed: asyncio.Queue[bytes] = asyncio.Queue()
        self.connections = 0

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int
    ) -> None:
        self.connections += 1
        writer.write(BANNER)
        pushing = asyncio.create_task(self._push(writer))
        try:
            while (got := await read_action(reader)) is not None:
                fields = got[1]
                action_id = fields["ActionID"]
                if fields["Action"] == "Login" and not self.login_ok:
                    writer.write(refused_login().replace(b"login-failure-03", action_id.encode()))
                    await writer.drain()
                    return  # Asterisk closes the connection after a refused login
                writer.write(self._answer(fields["Action"], action_id))
                await writer.drain()
        finally:
            pushing.cancel()

    def _answer(self, action: str, action_id: str) -> bytes:
        if action == "CoreShowChannels":
            return list_reply(action_id, "CoreShowChannel", [])
        if action == "QueueStatus":
            if self.queue_status:
                return list_reply(action_id, "QueueStatus", [])
            return response(action_id, "Error", Message=NO_QUEUE_STATUS)
        return response(action_id, Message="Authentication accepted")

    async def _push(self, writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(await self.pushed.get())
            await writer.drain()


async def app_with(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    port: int,
    *,
    lease_held_elsewhere: bool = False,
) -> Client:
    settings = app_settings(
        stores,
        CALLCENTER_ASTERISK__AMI_HOST="127.0.0.1",
        CALLCENTER_ASTERISK__AMI_PORT=str(port),
        CALLCENTER_ASTERISK__AMI_SECRET="wrong-secret",
    )
    app = create_app(settings, clock=ManualClock(NOW))
    if lease_held_elsewhere:
        lease = Keys(app[SETTINGS].redis.key_prefix).lease("ami")
        await app[REDIS].set(lease, "another-host:0000", px=60_000)
    return await aiohttp_client(app)


async def readiness(client: Client) -> tuple[int, dict[str, str]]:
    answer = await client.get("/readyz")
    return answer.status, (await answer.json())["checks"]


async def test_readyz_names_the_ami_when_its_login_is_refused(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    async with FakeAmi(Asterisk(login_ok=False)) as server:
        client = await app_with(aiohttp_client, stores, server.port)

        async def refused() -> bool:
            return client.app[AMI].client.last_error is not None

        await until(refused)
        status, checks = await readiness(client)
        assert status == 503
        assert checks["ami"] == "login refused: Authentication failed"
        assert checks["database"] == checks["redis"] == "ok"
        await client.close()


async def test_readyz_is_ready_while_another_instance_holds_the_session(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    asterisk = Asterisk(login_ok=False)
    async with FakeAmi(asterisk) as server:
        client = await app_with(aiohttp_client, stores, server.port, lease_held_elsewhere=True)
        status, checks = await readiness(client)
        assert status == 200 and checks["ami"].startswith("standby")
        assert asterisk.connections == 0
        await client.close()


async def test_a_refused_queue_status_is_an_error_with_asterisks_message(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with FakeAmi(Asterisk(queue_status=False)) as server:
        with caplog.at_level(logging.INFO):
            client = await app_with(aiohttp_client, stores, server.port)
            await until(lambda: asyncio.sleep(0, client.app[AMI].connected))
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert errors == [f"AMI QueueStatus refused: {NO_QUEUE_STATUS}"]
        assert "0 Asterisk queue items" not in caplog.text
        assert await readiness(client) == (
            200,
            {"database": "ok", "redis": "ok", "ami": "ok", "journal": "ok"},
        )
        await client.close()


async def test_a_cdr_finds_its_call_by_the_call_id_in_its_user_field(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    asterisk = Asterisk()
    async with FakeAmi(asterisk) as server:
        client = await app_with(aiohttp_client, stores, server.port)
        calls = client.app[CALLS]
        call = await calls.start(Direction.INBOUND, "+8613800138000", "95598")
        await until(lambda: asyncio.sleep(0, client.app[AMI].connected))
        cdr = {"Disposition": "ANSWERED", "Duration": "42", "BillableSeconds": "40"}
        await asterisk.pushed.put(event("Cdr", UniqueID="1795350000.99", UserField="", **cdr))
        await asterisk.pushed.put(event("Cdr", UniqueID="1795350000.98", UserField=call.id, **cdr))

        async def written() -> bool:
            return client.app[AMI].written >= 2  # both CDRs taken

        await until(written)
        events = (await calls.detail(call.id)).events
        assert [e.data for e in events if e.type == "provider_status"] == [
            {
                "provider": "asterisk",
                "status": "cdr",
                "disposition": "ANSWERED",
                "duration": 42,
                "billable": 40,
            }
        ]
        await client.close()
