"""`TwilioRecordingFiles` against a fake of Twilio's Recordings API on loopback: the file is
fetched as `<RecordingSid>.wav` with the account's basic auth (a byte range passed through),
deleted as `<RecordingSid>.json` (gone already is no error); a failing or unreachable
Twilio is `recording-unavailable`, a handle that is not a RecordingSid `no-recording`."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from callcenter.core.errors import CallcenterError
from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.telephony.twilio.recording_files import TwilioRecordingFiles

Server = Callable[[web.Application], Awaitable[TestServer]]
ACCOUNT = "AC" + "5" * 32
TOKEN = "t" * 32
SID = "RE" + "d" * 32
SOUND = b"RIFF" + bytes(range(200))
PREFIX = f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/"
AUTH = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()


class FakeRecordings:
    """Twilio's Recordings resource: one recording, or a failing API."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.deleted: list[str] = []
        self.stored = {SID}

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(PREFIX + "{sid}.wav", self.get)
        app.router.add_delete(PREFIX + "{sid}.json", self.delete)
        return app

    def _refusal(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != AUTH:
            return web.json_response({"code": 20003}, status=401)
        if self.status != 200:
            return web.json_response({"code": 20500}, status=self.status)
        if request.match_info["sid"] not in self.stored:
            return web.json_response({"code": 20404}, status=404)
        return None

    async def get(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        first, _, last = request.headers.get("Range", "").removeprefix("bytes=").partition("-")
        if first:
            body = SOUND[int(first) : int(last) + 1]
            span = f"bytes {first}-{last}/{len(SOUND)}"
            return web.Response(body=body, status=206, content_type="audio/x-wav",
                                headers={"Content-Range": span})  # fmt: skip
        return web.Response(body=SOUND, content_type="audio/x-wav")

    async def delete(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        self.stored.discard(request.match_info["sid"])
        self.deleted.append(request.match_info["sid"])
        return web.Response(status=204)


async def _files(aiohttp_server: Server, fake: FakeRecordings) -> TwilioRecordingFiles:
    server = await aiohttp_server(fake.app())
    return TwilioRecordingFiles(ACCOUNT, TOKEN, str(server.make_url("")).rstrip("/"))


def _recording(ref: str = SID) -> CallRecording:
    return CallRecording(RecordingStatus.READY, "twilio", ref, "https://elsewhere.test/x", 3)


async def _read(
    files: TwilioRecordingFiles, range_header: str | None
) -> tuple[bytes, str, int | None, str | None]:
    async with files.open(_recording(), range_header) as audio:
        body = b"".join([chunk async for chunk in audio.chunks])
        return body, audio.content_type, audio.length, audio.content_range


async def test_the_file_is_fetched_with_the_accounts_auth(aiohttp_server: Server) -> None:
    files = await _files(aiohttp_server, FakeRecordings())
    try:
        assert await _read(files, None) == (SOUND, "audio/x-wav", len(SOUND), None)
        assert await _read(files, "bytes=4-9") == (SOUND[4:10], "audio/x-wav", 6, "bytes 4-9/204")
    finally:
        await files.close()


async def test_deletion_is_idempotent(aiohttp_server: Server) -> None:
    fake = FakeRecordings()
    files = await _files(aiohttp_server, fake)
    try:
        await files.delete(_recording())
        await files.delete(_recording())  # 404 now: gone already
    finally:
        await files.close()
    assert fake.deleted == [SID] and fake.stored == set()


@pytest.mark.parametrize(("status", "ref", "code"), [
    (500, SID, "recording-unavailable"),
    (200, "RE" + "0" * 32, "recording-unavailable"),  # Twilio has no such recording
    (200, "../../Calls/CA1", "no-recording"),
])  # fmt: skip
async def test_failures_on_playback(
    aiohttp_server: Server, status: int, ref: str, code: str
) -> None:
    files = await _files(aiohttp_server, FakeRecordings(status))
    try:
        with pytest.raises(CallcenterError) as raised:
            async with files.open(_recording(ref), None):
                pass
    finally:
        await files.close()
    assert raised.value.code == code


@pytest.mark.parametrize("status", [500, 401, None], ids=["error", "refused", "unreachable"])
async def test_failures_on_deletion(
    aiohttp_server: Server, unused_tcp_port: int, status: int | None
) -> None:
    files = (
        TwilioRecordingFiles(ACCOUNT, TOKEN, f"http://127.0.0.1:{unused_tcp_port}")
        if status is None
        else await _files(aiohttp_server, FakeRecordings(status))
    )
    try:
        with pytest.raises(CallcenterError) as raised:
            await files.delete(_recording())
    finally:
        await files.close()
    assert raised.value.code == "recording-unavailable"
