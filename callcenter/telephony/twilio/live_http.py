"""Twilio's callbacks about a call's conference (signed like every webhook):

- `/twilio/conference`: the conference's status events; its SID is noted when it starts
  (hold, consult and coaching act on participants of that SID);
- `/twilio/recording`: the conference recording's status (in progress: its SID; completed,
  absent or failed: the recording's end), also handed to `recordings` when given;
- `/twilio/live-leg`: the status of a consulted agent's leg (answered: the agents talk;
  ended: the consultation is over, or, once the call was handed over, that agent left)
  and of supervisors' legs (ended: the monitoring is over).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from aiohttp import web

from agents.live.models import RecordingStatus
from callcenter.core.ending import EndedBy
from callcenter.telephony.ports import Queueing
from callcenter.telephony.twilio.conference import CONFERENCE, LIVE_LEG, RECORDING, Role
from callcenter.telephony.twilio.live import CONFERENCE_SID, RECORDING_SID

log = logging.getLogger(__name__)
ANSWERED = frozenset({"in-progress", "answered"})
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
RECORDING_STATES = {
    "in-progress": RecordingStatus.RECORDING,
    "completed": RecordingStatus.STOPPED,
    "absent": RecordingStatus.FAILED,
    "failed": RecordingStatus.FAILED,
}
Signed = Callable[
    [Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]],
    Callable[[web.Request], Awaitable[web.StreamResponse]],
]


class LiveEvents(Protocol):
    """What the provider reports about a live call (`agents.live.center.LiveCenter`)."""

    async def note(self, call_id: str, **refs: str) -> None: ...

    async def recording_changed(self, call_id: str, status: RecordingStatus) -> None: ...

    async def consult_answered(self, call_id: str, target_id: int) -> None: ...

    async def consult_unanswered(self, call_id: str, target_id: int, status: str) -> None: ...

    async def monitor_ended(self, call_id: str, leg: str, mode: str) -> None: ...

    async def agent_on(self, call_id: str) -> int | None: ...


class RecordingSink(Protocol):
    """Where a finished (or failed) recording goes (the recordings use case)."""

    async def twilio_recording(self, call_id: str, params: Mapping[str, str]) -> None: ...


def _no_content() -> web.Response:
    return web.Response(status=204)


class TwilioLiveWebhooks:
    """The conference, recording and live-leg callbacks."""

    def __init__(
        self, live: LiveEvents, queueing: Queueing, recordings: RecordingSink | None = None
    ) -> None:
        self._live = live
        self._queueing = queueing
        self._recordings = recordings

    def setup(self, app: web.Application, signed: Signed) -> None:
        """Mount the routes behind the webhooks' signature check."""
        app.router.add_post(CONFERENCE, signed(self.conference))
        app.router.add_post(RECORDING, signed(self.recording))
        app.router.add_post(LIVE_LEG, signed(self.live_leg))

    async def conference(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        call_id = request.query.get("call", "")
        event = params.get("StatusCallbackEvent", "")
        sid = params.get("ConferenceSid", "")
        if call_id and sid and event in ("conference-start", "participant-join"):
            await self._live.note(call_id, **{CONFERENCE_SID: sid})
        return _no_content()

    async def recording(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        call_id = request.query.get("call", "")
        status = RECORDING_STATES.get(params.get("RecordingStatus", ""))
        if not call_id or status is None:
            log.warning("recording callback without a call or status: %s", dict(request.query))
            return _no_content()
        if status is RecordingStatus.RECORDING and params.get("RecordingSid"):
            await self._live.note(call_id, **{RECORDING_SID: params["RecordingSid"]})
        await self._live.recording_changed(call_id, status)
        if self._recordings is not None:
            await self._recordings.twilio_recording(call_id, params)
        return _no_content()

    async def live_leg(self, request: web.Request, params: Mapping[str, str]) -> web.Response:
        call_id, agent, role = (request.query.get(k, "") for k in ("call", "agent", "role"))
        status = params.get("CallStatus", "")
        if not call_id or not agent.isdigit():
            return _no_content()
        agent_id = int(agent)
        if role != Role.CONSULT.value:
            if status in ENDED:
                await self._live.monitor_ended(call_id, params.get("CallSid", ""), role)
            return _no_content()
        if status in ANSWERED:
            await self._live.consult_answered(call_id, agent_id)
        elif status in ENDED:
            if await self._live.agent_on(call_id) == agent_id:  # the call was handed over
                await self._queueing.agent_left(call_id, agent_id, EndedBy.AGENT)
            else:
                await self._live.consult_unanswered(call_id, agent_id, status)
        return _no_content()
