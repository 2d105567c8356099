"""The AMI client against fake AMI servers: recorded Asterisk 22 sessions played back to it
(its bytes checked against the recorded client's), login failure and backoff, a server that
drops in the middle of an action, reconnect with resync, garbage, a silent server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from callcenter.telephony.asterisk.ami import (
    AmiClient,
    AmiConnectionLost,
    AmiSettings,
)
from callcenter.telephony.asterisk.codec import Message
from tests.ami_helpers import (
    FakeAmi,
    action_ids,
    ids_from,
    recorded,
    replay,
    response,
    scripted,
)


def settings(port: int, **overrides: object) -> AmiSettings:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "username": "cc",
        "secret": "ccsecret",
        "timeout_seconds": 2.0,
        "ping_seconds": 3600.0,
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.04,
    }
    return AmiSettings(**(base | overrides))  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(client: AmiClient) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(client.run())
    try:
        yield task
    finally:
        await client.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def originate_fields(client_bytes: bytes, action_id: str) -> list[tuple[str, str]]:
    block = client_bytes.split(f"ActionID: {action_id}\r\n".encode(), 1)[1].split(b"\r\n\r\n")[0]
    return [tuple(line.split(": ", 1)) for line in block.decode().split("\r\n")]  # type: ignore[misc]


async def test_inbound_call_session_replayed() -> None:
    server_bytes, client_bytes = recorded("ami-inbound-ivr-queue")
    ids = action_ids(client_bytes)
    events: list[Message] = []
    async with FakeAmi(replay(server_bytes, client_bytes)) as ami:
        client = AmiClient(settings(ami.port), events.append, action_ids=ids_from(ids))
        async with running(client):
            await client.wait_connected(5)
            answer, outcome = await client.action_with_event(
                "Originate", originate_fields(client_bytes, ids[1]), "OriginateResponse"
            )
            assert (answer.name, answer.get("Message")) == (
                "Success",
                "Originate successfully queued",
            )
            result = await asyncio.wait_for(outcome, 5)
            assert (result.get("Response"), result.get("Reason")) == ("Success", "4")
            for _ in range(100):
                if any(e.name == "Cdr" for e in events):
                    break
                await asyncio.sleep(0.01)
        assert bytes(ami.received[0]) == client_bytes  # Login, Originate, Logoff byte for byte
    names = [e.name for e in events]
    assert {"Newchannel", "DTMFEnd", "QueueCallerJoin", "BridgeEnter", "Hangup", "Cdr"} <= set(
        names
    )
    assert "OriginateResponse" not in names  # handed to the waiter, not to the event handler
    assert "VarSet" not in names
    hangups = [e for e in events if e.name == "Hangup"]
    assert all(e.get("Cause") for e in hangups)


async def test_list_actions_collect_their_items() -> None:
    server_bytes, client_bytes = recorded("ami-status-actions")
    ids = action_ids(client_bytes)
    async with FakeAmi(replay(server_bytes, client_bytes, close_at_end=False)) as ami:
        client = AmiClient(settings(ami.port), lambda e: None, action_ids=ids_from(ids))
        async with running(client):
            await client.wait_connected(5)
            head, items = await client.list_action("QueueStatus")
            assert head.get("EventList") == "start"
            assert [i.name for i in items][:1] == ["QueueParams"]
            assert {i.name for i in items} == {"QueueParams", "QueueMember"}
            assert all(i.action_id == ids[1] for i in items)
            _, summary = await client.list_action("QueueSummary")
            assert [i.name for i in summary] == ["QueueSummary"]
            _, channels = await client.list_action("CoreShowChannels")
            assert channels == []  # idle
        sent = bytes(ami.received[0])
        assert sent.startswith(client_bytes[: client_bytes.index(b"Action: Status\r\n")])


async def test_refused_login_is_a_clear_error_then_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server_bytes, client_bytes = recorded("ami-login-unknown-user")
    waits: list[float] = []
    done = asyncio.Event()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 4:
            done.set()
            await asyncio.Event().wait()

    async with FakeAmi(replay(server_bytes, client_bytes)) as ami:
        client = AmiClient(
            settings(ami.port, username="nobody"),
            lambda e: None,
            action_ids=lambda: action_ids(client_bytes)[0],
            sleep=sleep,
        )
        async with running(client):
            await asyncio.wait_for(done.wait(), 5)
            assert not client.connected
        assert [bytes(r) for r in ami.received] == [client_bytes] * 4
    assert waits == [0.01, 0.02, 0.04, 0.04]  # doubling, capped
    assert "login refused: Authentication failed" in caplog.text


async def test_action_in_flight_when_the_server_drops_fails_and_is_never_resent() -> None:
    def on_action(n: int, fields: dict[str, str]) -> bytes | None:
        if fields["Action"] == "Originate":
            return None  # drop without answering
        return response(fields["ActionID"], Ping="Pong")

    async with FakeAmi(scripted(on_action)) as ami:  # type: ignore[arg-type]
        client = AmiClient(settings(ami.port), lambda e: None)
        async with running(client):
            await client.wait_connected(5)
            with pytest.raises(AmiConnectionLost, match="not re-sent"):
                await client.action_with_event(
                    "Originate",
                    {"Channel": "PJSIP/13800000000@trunk", "Async": "true"},
                    "OriginateResponse",
                )
            for _ in range(200):
                if client.connected and client.sessions == 2:
                    break
                await asyncio.sleep(0.01)
            assert client.sessions == 2
            assert (await client.action("Ping")).get("Ping") == "Pong"
        originates = [r.count(b"Action: Originate\r\n") for r in ami.received]
        assert originates == [1, 0]


async def test_every_login_runs_the_resync_hook() -> None:
    drops = {0: True}

    def on_action(n: int, fields: dict[str, str]) -> bytes | None:
        action_id = fields["ActionID"]
        if fields["Action"] == "CoreShowChannels":
            body = response(action_id, EventList="start", Message="Channels will follow")
            body += (
                f"Event: CoreShowChannel\r\nActionID: {action_id}\r\n"
                f"Channel: PJSIP/1001-0000000{n}\r\nUniqueid: 1795334700.{n}\r\n\r\n"
                f"Event: CoreShowChannelsComplete\r\nActionID: {action_id}\r\n"
                "EventList: Complete\r\nListItems: 1\r\n\r\n"
            ).encode()
            return body
        if fields["Action"] == "Ping" and drops.pop(n, False):
            return None
        return response(action_id)

    seen: list[list[str]] = []
    client: AmiClient

    async def resync() -> None:
        _, channels = await client.list_action("CoreShowChannels")
        seen.append([c.get("Channel") or "" for c in channels])

    async with FakeAmi(scripted(on_action)) as ami:  # type: ignore[arg-type]
        client = AmiClient(settings(ami.port, ping_seconds=0.05), lambda e: None, on_connect=resync)
        async with running(client):
            for _ in range(300):
                if len(seen) == 2:
                    break
                await asyncio.sleep(0.01)
    assert seen[:2] == [["PJSIP/1001-00000000"], ["PJSIP/1001-00000001"]]


async def test_garbage_is_skipped_and_an_endless_line_resets_the_connection() -> None:
    events: list[Message] = []

    def on_action(n: int, fields: dict[str, str]) -> bytes | None:
        if n == 0 and fields["Action"] == "Ping":
            return (
                b"this is not AMI\r\n\r\nEvent: Hangup\r\nChannel: PJSIP/1-1\r\nCause: 16\r\n\r\n"
                + response(fields["ActionID"])
                + b"Event: Flood\r\nData: "
                + b"x" * (1 << 20)
            )
        return response(fields["ActionID"])

    async with FakeAmi(scripted(on_action)) as ami:  # type: ignore[arg-type]
        client = AmiClient(settings(ami.port), events.append)
        async with running(client):
            await client.wait_connected(5)
            await client.action("Ping")
            for _ in range(300):
                if client.sessions == 2 and client.connected:
                    break
                await asyncio.sleep(0.01)
            assert client.sessions == 2  # reset after the endless line, logged in again
    assert client.malformed == 1
    assert [e.get("Cause") for e in events] == ["16"]


async def test_a_silent_server_is_noticed_by_the_keepalive() -> None:
    def on_action(n: int, fields: dict[str, str]) -> bytes | None:
        if n == 0 and fields["Action"] == "Ping":
            return b""  # never answers
        return response(fields["ActionID"])

    async with FakeAmi(scripted(on_action)) as ami:  # type: ignore[arg-type]
        client = AmiClient(
            settings(ami.port, ping_seconds=0.05, timeout_seconds=0.2), lambda e: None
        )
        async with running(client):
            for _ in range(300):
                if client.sessions == 2:
                    break
                await asyncio.sleep(0.01)
            assert client.sessions == 2
