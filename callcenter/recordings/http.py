"""`GET /api/calls/{call_id}/recording`: a call's recording for supervisors and admins."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.api import Role, endpoint
from callcenter.httpkit import editor_of
from callcenter.recordings.service import Recordings

PLAYERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class RecordingsHttp:
    """The playback route."""

    def __init__(self, service: Recordings) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_get("/api/calls/{call_id}/recording", self.play)

    @endpoint(
        "A call's recording (audio/wav or audio/mpeg; one byte range with Range), audited",
        roles=PLAYERS,
        errors=(
            "no-such-call",
            "no-recording",
            "recording-not-ready",
            "recording-deleted",
            "recording-unavailable",
        ),
        tag="calls",
        content_type="audio/*",
        statuses=(200, 206),
    )
    async def play(self, request: web.Request) -> web.StreamResponse:
        editor = editor_of(request)
        range_header = request.headers.get("Range")
        call_id = request.match_info["call_id"]
        async with self._service.play(call_id, range_header, editor) as audio:
            response = web.StreamResponse(
                status=206 if audio.content_range else 200,
                headers={"Content-Type": audio.content_type, "Accept-Ranges": "bytes"},
            )
            if audio.content_range:
                response.headers["Content-Range"] = audio.content_range
            if audio.length is not None:
                response.content_length = audio.length
            await response.prepare(request)
            async for chunk in audio.chunks:
                await response.write(chunk)
            await response.write_eof()
        return response
