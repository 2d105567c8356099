"""Recordings through the app on both stores: the recording on the call JSON, playback for
supervisors (whole, a byte range; audited) and its refusals, the retention sweep (per queue,
idempotent, one event each with two sweeps at once) and the queue policy's validation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from callcenter.calls.models import CallEventType, Direction
from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import RecordingUpdate
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import CALLS, ENGINE
from callcenter.web.recordings import RECORDINGS
from tests.conftest import NOW
from tests.integration.admin_helpers import Client, eventually, make_app, send, staff

MakeClient = Callable[[web.Application], Awaitable[Client]]
R = RecordingStatus
SOUND = bytes(range(256)) * 4


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """MixMonitor's directory."""
    path = tmp_path / "monitor"
    path.mkdir()
    return path


async def _client(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> Client:
    app = make_app(stores, clock, CALLCENTER_RECORDING__ASTERISK_DIR=str(folder))
    return await aiohttp_client(app)


async def _call(
    client: Client,
    folder: Path,
    queue: str | None = "billing",
    age_days: int = 0,
    status: RecordingStatus = R.READY,
) -> str:
    """A call answered in `queue` `age_days` ago; its Asterisk recording in `status`."""
    calls, at = client.app[CALLS], NOW - timedelta(days=age_days)
    call = await calls.start(Direction.INBOUND, "+8613800138000", "95598", at=at)
    if queue is not None:
        await calls.record(call.id, CallEventType.QUEUED, {"queue": queue}, at)
    await calls.record(call.id, CallEventType.AGENT_CONNECTED, {"agent_id": 7}, at)
    (folder / f"{call.id}.wav").write_bytes(SOUND)
    update = RecordingUpdate(
        status, "asterisk", ref=call.id, location=f"{call.id}.wav", duration_seconds=3
    )
    await client.app[RECORDINGS].update(call.id, update)
    return call.id


async def _events(client: Client, call_id: str, kind: CallEventType) -> int:
    detail = await client.app[CALLS].detail(call_id)
    return sum(1 for e in detail.events if e.type is kind)


async def test_the_call_json_shows_the_recording_once(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    call_id = await _call(client, folder)
    again = RecordingUpdate(R.READY, "asterisk", location=f"{call_id}.wav", duration_seconds=3)
    await client.app[RECORDINGS].update(call_id, again)  # a retried callback
    _, auth = await staff(client, Role.SUPERVISOR)
    status, body = await send(client, "GET", f"/api/calls/{call_id}", auth)
    listed = await send(client, "GET", "/api/calls", auth)
    expected = {
        "status": "ready",
        "provider": "asterisk",
        "ref": call_id,
        "location": f"{call_id}.wav",
        "duration_seconds": 3,
    }
    assert status == 200 and body["call"]["recording"] == expected
    assert body["call"]["state"] == "talking"
    assert listed[1]["items"][0]["recording"] == expected
    assert await _events(client, call_id, CallEventType.RECORDING_READY) == 1


async def test_a_supervisor_plays_a_recording_whole_or_in_part_audited(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    call_id = await _call(client, folder)
    user_id, auth = await staff(client, Role.SUPERVISOR)
    path = f"/api/calls/{call_id}/recording"
    whole = await client.get(path, headers=auth)
    part = await client.get(path, headers=auth | {"Range": "bytes=10-19"})
    assert (whole.status, whole.content_type, whole.content_length) == (200, "audio/wav", 1024)
    assert await whole.read() == SOUND
    assert (part.status, part.headers["Content-Range"]) == (206, "bytes 10-19/1024")
    assert await part.read() == SOUND[10:20]
    entries = await SqlAuditLog(client.app[ENGINE]).entries("call", call_id)
    assert [(e.action, e.editor.role, e.editor.user_id) for e in entries] == [
        ("recording-played", "supervisor", user_id)
    ] * 2


@pytest.mark.parametrize(
    ("role", "status", "change", "code"),
    [
        (Role.AGENT, R.READY, "", "forbidden"),
        (Role.SUPERVISOR, R.RECORDING, "", "recording-not-ready"),
        (Role.SUPERVISOR, R.FAILED, "", "no-recording"),
        (Role.SUPERVISOR, R.READY, "no-file", "recording-unavailable"),
        (Role.SUPERVISOR, R.READY, "unknown-call", "no-such-call"),
        (Role.SUPERVISOR, R.READY, "deleted", "recording-deleted"),
        (Role.ADMIN, None, "", "no-recording"),
    ],
)
async def test_playback_refusals(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    folder: Path,
    clock: ManualClock,
    role: Role,
    status: RecordingStatus | None,
    change: str,
    code: str,
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    call_id = await _call(client, folder, status=status or R.READY)
    if status is None:
        call_id = (await client.app[CALLS].start(Direction.INBOUND, "+8613800138000", "1")).id
    if change == "no-file":
        (folder / f"{call_id}.wav").unlink()
    if change == "deleted":
        await client.app[CALLS].record(call_id, CallEventType.RECORDING_DELETED, {})
    call_id = "0" * 26 if change == "unknown-call" else call_id
    _, auth = await staff(client, role)
    answer, body = await send(client, "GET", f"/api/calls/{call_id}/recording", auth)
    assert body["error"]["code"] == code
    assert (
        answer
        == {
            "forbidden": 403,
            "recording-not-ready": 409,
            "no-recording": 404,
            "recording-unavailable": 502,
            "no-such-call": 404,
            "recording-deleted": 410,
        }[code]
    )
    assert await SqlAuditLog(client.app[ENGINE]).entries("call") == []


async def test_the_sweep_deletes_what_is_past_its_queues_retention(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    _, admin = await staff(client, Role.ADMIN)
    patch = {"recording_retention_days": 30}
    assert (await send(client, "PATCH", "/api/queues/billing", admin, patch))[0] == 200
    kept = [await _call(client, folder, "billing", 29), await _call(client, folder, "fault", 300)]
    due = [
        await _call(client, folder, "billing", 31),
        await _call(client, folder, "fault", 366),
        await _call(client, folder, None, 366),
        await _call(client, folder, "billing", 40, R.FAILED),
    ]
    assert await client.app[RECORDINGS].sweep(batch=2) == 4
    assert await client.app[RECORDINGS].sweep(batch=2) == 0
    for call_id in due:
        record = await client.app[CALLS].get(call_id)
        assert record.recording is not None and record.recording.status is R.DELETED
        assert not (folder / f"{call_id}.wav").exists()
        assert await _events(client, call_id, CallEventType.RECORDING_DELETED) == 1
    for call_id in kept:
        assert (await client.app[CALLS].get(call_id)).recording == CallRecording(
            R.READY, "asterisk", call_id, f"{call_id}.wav", 3
        )
        assert (folder / f"{call_id}.wav").exists()


async def test_two_sweeps_at_once_write_one_event_each(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    due = [await _call(client, folder, "billing", 400) for _ in range(3)]
    sweeps = await asyncio.gather(*(client.app[RECORDINGS].sweep() for _ in range(2)))
    assert sum(sweeps) == 3
    for call_id in due:
        assert await _events(client, call_id, CallEventType.RECORDING_DELETED) == 1


@pytest.mark.parametrize(
    "patch",
    [
        {"recording_retention_days": 0},
        {"recording_retention_days": 3651},
        {"record_calls": "sometimes"},
    ],
)
async def test_bad_recording_policy_is_refused(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    folder: Path,
    clock: ManualClock,
    patch: dict[str, object],
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    _, admin = await staff(client, Role.ADMIN)
    status, body = await send(client, "PATCH", "/api/queues/billing", admin, patch)
    assert status == 400
    assert body["error"]["code"] in {"invalid-queue-settings", "invalid-body"}
    queues = (await send(client, "GET", "/api/queues", admin, None))[1]
    billing = next(q for q in queues["queues"] if q["name"] == "billing")
    assert (billing["record_calls"], billing["recording_retention_days"]) == (True, 365)


async def test_the_sweep_runs_on_an_instance_that_routes(
    aiohttp_client: MakeClient, stores: tuple[str, str], folder: Path, clock: ManualClock
) -> None:
    app = make_app(
        stores,
        clock,
        CALLCENTER_RECORDING__ASTERISK_DIR=str(folder),
        CALLCENTER_ROUTING__RUN_ROUTER="true",
        CALLCENTER_RECORDING__RETENTION_SWEEP_SECONDS="0.05",
    )
    client = await aiohttp_client(app)
    call_id = await _call(client, folder, "billing", 400)

    async def deleted() -> bool:
        recording = (await client.app[CALLS].get(call_id)).recording
        return recording is not None and recording.status is R.DELETED

    assert await eventually(deleted)
    assert not (folder / f"{call_id}.wav").exists()


@pytest.mark.parametrize("location", ["../secret.wav", "/etc/passwd", ""])
async def test_a_file_outside_the_directory_is_not_a_recording(
    aiohttp_client: MakeClient,
    stores: tuple[str, str],
    folder: Path,
    clock: ManualClock,
    location: str,
) -> None:
    client = await _client(aiohttp_client, stores, folder, clock)
    (folder.parent / "secret.wav").write_bytes(SOUND)
    call = await client.app[CALLS].start(Direction.INBOUND, "+8613800138000", "95598")
    update = RecordingUpdate(R.READY, "asterisk", location=location or None)
    await client.app[RECORDINGS].update(call.id, update)
    _, auth = await staff(client, Role.SUPERVISOR)
    status, body = await send(client, "GET", f"/api/calls/{call.id}/recording", auth)
    assert (status, body["error"]["code"]) == (404, "no-recording")
