"""`TwilioRecordingFiles`: a call recording's sound from Twilio's REST API (GET
`…/Recordings/<sid>.wav` with the account's basic auth) and its deletion at the end of the
retention; and `recording_update`, what a recordingStatusCallback says.

The URL is built from the account and the RecordingSid, never taken from a stored or posted
address, so the account's credentials only ever go to the configured API."""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import AsyncIterator, Mapping

import aiohttp

from callcenter.core.recordings import CallRecording, RecordingStatus
from callcenter.recordings.models import (
    Audio,
    NoRecordingError,
    RecordingUnavailableError,
    RecordingUpdate,
)

PROVIDER = "twilio"
CHUNK = 64 * 1024
_SID = re.compile(r"RE[0-9a-fA-F]{32}")
# recordingStatusCallback's RecordingStatus: in-progress, completed, absent (no sound), failed
STATUSES = {
    "in-progress": RecordingStatus.RECORDING,
    "paused": RecordingStatus.PAUSED,
    "stopped": RecordingStatus.STOPPED,
    "completed": RecordingStatus.READY,
    "absent": RecordingStatus.FAILED,
    "failed": RecordingStatus.FAILED,
}


def recording_update(params: Mapping[str, str]) -> RecordingUpdate | None:
    """The update a recording status callback posts (None for a status it does not know)."""
    status = STATUSES.get(params.get("RecordingStatus", ""))
    if status is None:
        return None
    duration = params.get("RecordingDuration", "")
    return RecordingUpdate(
        status,
        PROVIDER,
        ref=params.get("RecordingSid") or None,
        location=params.get("RecordingUrl") or None,
        duration_seconds=int(duration) if duration.isdigit() else None,
    )


class TwilioRecordingFiles:
    """Implements `callcenter.recordings.ports.RecordingFiles` on Twilio's REST API."""

    def __init__(self, account_sid: str, auth_token: str, base_url: str, timeout: float = 30):
        self._base = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Recordings/"
        secret = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._auth = {"Authorization": f"Basic {secret}"}
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _url(self, recording: CallRecording, suffix: str) -> str:
        if not _SID.fullmatch(recording.ref or ""):
            raise NoRecordingError(f"not a Twilio recording: {recording.ref!r}")
        return f"{self._base}{recording.ref}{suffix}"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # made inside the running loop, on first use
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session (the app's cleanup context)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    @contextlib.asynccontextmanager
    async def open(
        self, recording: CallRecording, range_header: str | None
    ) -> AsyncIterator[Audio]:
        headers = dict(self._auth)
        if range_header:
            headers["Range"] = range_header
        url = self._url(recording, ".wav")
        try:
            resp = await self._client().get(url, headers=headers)
        except (aiohttp.ClientError, TimeoutError) as err:
            raise RecordingUnavailableError(f"Twilio cannot be reached: {err}") from err
        try:
            if resp.status not in (200, 206):
                raise RecordingUnavailableError(f"Twilio answered {resp.status} for the file")
            media = resp.content_type if resp.content_type.startswith("audio/") else "audio/wav"
            partial = resp.headers.get("Content-Range") if resp.status == 206 else None
            yield Audio(_chunks(resp), media, resp.content_length, partial)
        finally:
            resp.release()

    async def delete(self, recording: CallRecording) -> None:
        try:
            async with self._client().delete(
                self._url(recording, ".json"), headers=self._auth
            ) as resp:
                if resp.status not in (204, 200, 404):  # 404: gone already
                    raise RecordingUnavailableError(
                        f"Twilio answered {resp.status} to the deletion"
                    )
        except (aiohttp.ClientError, TimeoutError) as err:
            raise RecordingUnavailableError(f"Twilio cannot be reached: {err}") from err


async def _chunks(resp: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in resp.content.iter_chunked(CHUNK):
            yield chunk
    except (aiohttp.ClientError, TimeoutError) as err:
        raise RecordingUnavailableError(f"Twilio stopped sending the file: {err}") from err
