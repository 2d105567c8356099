"""The end of a caller's call, written once: Twilio's status callback, the FastAGI session's
hang-up or loss, and the AMI's resync all come here."""

from __future__ import annotations

import asyncio
import logging

from callcenter.calls.lifecycle import CALLBACK_KEPT
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.events import NO_EVENTS, Event, EventSink
from callcenter.telephony.ports import Queueing
from ivr_flows.service import IvrService

log = logging.getLogger(__name__)
E = CallEventType


class CallEnding:
    """Implements `callcenter.telephony.ports.CallEnd`: the call leaves the ACD (queued or
    offered: an abandon, unless the caller kept the place for a callback; with an agent: the
    agent goes to wrap-up), the end is recorded with who ended it, and the IVR session is
    closed so that later requests for the call only hang up."""

    def __init__(self, calls: CallService, ivr: IvrService, queueing: Queueing | None) -> None:
        self._calls = calls
        self._ivr = ivr
        self._queueing = queueing
        self.events: EventSink = NO_EVENTS  # webhooks (issue 15): set by setup_webhooks

    async def ended(self, call_id: str, reason: str, *, failed: bool = False) -> None:
        """`reason` says who or what ended it (caller, agent, system, network, …); `failed`:
        the call never connected (busy, no answer)."""
        kept = self._queueing is not None and await self._queueing.call_ended(call_id, reason)
        end = (E.FAILED, reason) if failed else (E.HUNG_UP, CALLBACK_KEPT if kept else reason)
        # the record's end (the database) and the session's close (Redis) side by side
        await asyncio.gather(
            self._calls.record(call_id, end[0], {"reason": end[1]}), self._ivr.end(call_id)
        )
        outcome = {"call_id": call_id, "reason": CALLBACK_KEPT if kept else reason}
        await self.events.publish(Event("call.ended", outcome | {"failed": failed}))  # issue 15
        log.info("call %s ended: %s", call_id, CALLBACK_KEPT if kept else reason)
