"""Wiring of call recordings (issue 16): the `Recordings` use case over the call service,
SQL, the providers' files (Twilio's REST API, Asterisk's MixMonitor directory) and the
audit log; its playback route; the retention sweep where `[routing] run_router` is on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from agents.center import Acd
from agents.models import DEFAULT_RETENTION_DAYS
from callcenter.calls.models import CallEventType
from callcenter.calls.recording_fold import RecordingGoneError
from callcenter.calls.service import CallService
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.recordings import CallRecording
from callcenter.core.tasks import every
from callcenter.recordings.http import RecordingsHttp
from callcenter.recordings.models import (
    Audio,
    RecordedCall,
    RecordingEvent,
    RecordingUnavailableError,
)
from callcenter.recordings.ports import RecordingFiles
from callcenter.recordings.service import RecordingPorts, Recordings
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.storage.recording_files import LocalRecordingFiles
from callcenter.storage.recordings import SqlExpiredRecordings
from callcenter.telephony.twilio.recording_files import TwilioRecordingFiles
from callcenter.web.keys import ACD, CALLS, ENGINE, SETTINGS

RECORDINGS = web.AppKey("recordings", Recordings)


class CallServiceRecordings:
    """`CallRecordings` on the call service (the only writer of call records)."""

    def __init__(self, calls: CallService) -> None:
        self._calls = calls

    async def get(self, call_id: str) -> RecordedCall:
        record = await self._calls.get(call_id)
        return RecordedCall(record.id, record.queue, record.recording)

    async def append(
        self, call_id: str, event: RecordingEvent, data: Mapping[str, Any], at: datetime
    ) -> bool:
        try:
            await self._calls.record(call_id, CallEventType(event.value), dict(data), at)
        except RecordingGoneError:
            return False
        return True


class AcdRetention:
    """Each queue's retention as the ACD routes with it now (stored settings included)."""

    def __init__(self, acd: Acd) -> None:
        self._acd = acd

    async def retention_days(self) -> Mapping[str, int]:
        return {name: q.recording_retention_days for name, q in self._acd.queues.items()}


class FilesByProvider:
    """`RecordingFiles` of the provider that made each recording."""

    def __init__(self, files: Mapping[str, RecordingFiles]) -> None:
        self._files = files

    def _of(self, recording: CallRecording) -> RecordingFiles:
        files = self._files.get(recording.provider or "")
        if files is None:  # e.g. Twilio's credentials or [recording] asterisk_dir not set
            raise RecordingUnavailableError(
                f"recordings of {recording.provider!r} are not configured on this server"
            )
        return files

    def open(
        self, recording: CallRecording, range_header: str | None
    ) -> AbstractAsyncContextManager[Audio]:
        return self._of(recording).open(recording, range_header)

    async def delete(self, recording: CallRecording) -> None:
        await self._of(recording).delete(recording)


def _twilio_files(settings: Settings) -> TwilioRecordingFiles | None:
    twilio = settings.twilio
    token = twilio.auth_token.get_secret_value() if twilio.auth_token else None
    if not (twilio.account_sid and token):
        return None
    return TwilioRecordingFiles(twilio.account_sid, token, twilio.api_base_url)


def setup_recordings(app: web.Application, clock: Clock) -> Recordings:
    """Build `Recordings` (also as `app[RECORDINGS]`, for the providers' callbacks), mount
    its route and its cleanup context. Twilio's files need TWILIO_ACCOUNT_SID and
    TWILIO_AUTH_TOKEN (`[twilio] api_base_url`); Asterisk's `[recording] asterisk_dir`."""
    settings = app[SETTINGS]
    twilio = _twilio_files(settings)
    files: dict[str, RecordingFiles] = {} if twilio is None else {"twilio": twilio}
    if settings.recording.asterisk_dir:
        files["asterisk"] = LocalRecordingFiles(Path(settings.recording.asterisk_dir))
    ports = RecordingPorts(
        CallServiceRecordings(app[CALLS]),
        SqlExpiredRecordings(app[ENGINE]),
        FilesByProvider(files),
        AcdRetention(app[ACD]),
        SqlAuditWriter(app[ENGINE]),
    )
    service = app[RECORDINGS] = Recordings(ports, clock, DEFAULT_RETENTION_DAYS)
    RecordingsHttp(service).setup(app)
    app.cleanup_ctx.append(_running(service, twilio))
    return service


def _running(
    service: Recordings, twilio: TwilioRecordingFiles | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def running(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        seconds = settings.recording.retention_sweep_seconds
        task = None
        if settings.routing.run_router and seconds > 0:
            sweep = partial(service.sweep, settings.recording.sweep_batch)
            task = asyncio.create_task(every(seconds, sweep), name="recording-sweep")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if twilio is not None:
                await twilio.close()

    return running
