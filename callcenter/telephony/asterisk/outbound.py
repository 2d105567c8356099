"""Outbound calls on Asterisk: `AmiGateway` implements `outbound.gateway.Gateway` with an
async AMI Originate to `Local/<number>@campaign-out` (see `config/asterisk/extensions.conf`).

The originated channel gets `ChannelId: cc-attempt-<attempt id>`, which becomes its Uniqueid
(and `;2` its other half's), and the variables `CC_ATTEMPT` (the attempt key),
`CC_ATTEMPT_ID`, `CC_FLOW`, `CC_CAMPAIGN_TYPE` and `CC_AMD` (`yes`/`no`), which the answered
call's dialplan (`campaign-answered`: `AMD()`, then FastAGI) and flow read. The result comes
from the OriginateResponse (Reason 0 failed, 1 hung up, 3 no answer, 4 answered, 5 busy,
8 congestion), except that a failure with Reason 0 takes the status of the `campaign-out`
half's own Dial (its DialEnd), because a Dial that ends busy does not pass the busy signal
back: the recorded `ami-originate-busy` says Reason 0 with `DialStatus: BUSY` on `;2`.
An answered call is not reported here: its FastAGI session (`campaign`) runs the message
flow and reports the result when the call is over (confirmed, a machine by `AMD()`, opted
out, answered).

`find` after a crash: the channel is looked up by its Uniqueid among the live channels (the
tracker is resynced from CoreShowChannels at every login); a call that has already ended
leaves nothing on the AMI to find it by, so it gives None.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

from callcenter.core.phone import mask
from callcenter.telephony.asterisk.ami import AmiConnectionLost, AmiError, AmiTimeout
from callcenter.telephony.asterisk.channels import originate_outcome
from callcenter.telephony.asterisk.codec import Message
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.telephony.pacing import RequestPacer
from outbound.gateway import CallMaybePlacedError, DialRequest, GatewayError, ResultSink
from outbound.models import AttemptResult, GatewayKind

log = logging.getLogger(__name__)
R = AttemptResult
OUT_CONTEXT = "campaign-out"
ANSWERED_CONTEXT = "campaign-answered"
DIALLABLE = re.compile(r"\d{3,20}")
ORIGINATE_RESULTS = {
    "answered": R.ANSWERED,
    "no-answer": R.NO_ANSWER,
    "hung-up": R.NO_ANSWER,  # rang, then was hung up before an answer
    "busy": R.BUSY,
    "congestion": R.FAILED,
    "failed": R.FAILED,
}
DIAL_RESULTS = {
    "BUSY": R.BUSY,
    "NOANSWER": R.NO_ANSWER,
    "CANCEL": R.NO_ANSWER,
    "CONGESTION": R.FAILED,
    "CHANUNAVAIL": R.FAILED,
}


def channel_id(request: DialRequest) -> str:
    """The Uniqueid the attempt's channel gets (and its provider id)."""
    return f"cc-attempt-{request.attempt_id}"


def originate_variables(request: DialRequest) -> dict[str, str]:
    """The channel variables of an attempt's Originate (the target's own values stay in
    SQL: the flow reads them by attempt id)."""
    return {
        "CC_ATTEMPT": request.key,
        "CC_ATTEMPT_ID": str(request.attempt_id),
        "CC_FLOW": request.flow,
        "CC_CAMPAIGN_TYPE": str(request.campaign_type),
        "CC_AMD": "yes" if request.machine_detection else "no",
    }


def originate_result(event: Message, dial_status: str | None) -> AttemptResult:
    """The attempt's result from its OriginateResponse and the last DialStatus of the
    `campaign-out` half's Dial (used only when the response says Reason 0)."""
    outcome = originate_outcome(event)
    if outcome == "failed" and dial_status in DIAL_RESULTS:
        return DIAL_RESULTS[dial_status]
    return ORIGINATE_RESULTS.get(outcome, R.FAILED)


class AmiGateway:
    """`outbound.gateway.Gateway` on the AMI session; results go to the `ResultSink`."""

    kind = GatewayKind.ASTERISK

    def __init__(
        self,
        ami: AsteriskAmi,
        on_result: ResultSink | None = None,
        *,
        pacer: RequestPacer | None = None,
        context: str = OUT_CONTEXT,
        answered_context: str = ANSWERED_CONTEXT,
    ) -> None:
        self._ami = ami
        self._on_result = on_result
        self._pacer = pacer or RequestPacer(0, 50)
        self._context = context
        self._answered_context = answered_context
        self._placing: set[str] = set()  # channel ids whose outcome is awaited
        self._dial_status: dict[str, str] = {}  # channel id -> its campaign-out Dial's status
        self._watching: set[asyncio.Task[None]] = set()
        ami.listeners.append(self._on_event)

    def bind(self, on_result: ResultSink) -> None:
        """Give the gateway the dialer's result sink."""
        self._on_result = on_result

    async def place(self, request: DialRequest) -> str:
        """One async Originate; the channel id (see `channel_id`). Raises `GatewayError`:
        transient when the AMI is not connected (nothing sent), `CallMaybePlacedError` when
        the connection dropped or Asterisk did not answer after sending, permanent when
        Asterisk refused the action or the number is not diallable."""
        digits = request.to.removeprefix("+")
        if not DIALLABLE.fullmatch(digits):
            raise GatewayError(f"not a diallable number: {mask(request.to)}", transient=False)
        if not self._ami.client.connected:
            raise GatewayError("the AMI is not connected: nothing sent", transient=True)
        uniqueid = channel_id(request)
        async with self._pacer.turn(request.caller_id):
            self._placing.add(uniqueid)  # before sending: its DialEnd may come at once
            try:
                outcome = await self._originate(request, digits, uniqueid)
            except BaseException:
                self._placing.discard(uniqueid)
                raise
        task = asyncio.create_task(self._watch(request.key, uniqueid, outcome))
        self._watching.add(task)
        task.add_done_callback(self._watching.discard)
        log.info("attempt %s: originated %s to %s", request.key, uniqueid, mask(request.to))
        return uniqueid

    async def _originate(
        self, request: DialRequest, digits: str, uniqueid: str
    ) -> asyncio.Future[Message]:
        try:
            return await self._ami.originate(
                f"Local/{digits}@{self._context}",
                context=self._answered_context,
                exten="s",
                caller_id=request.caller_id,
                timeout_seconds=request.ring_seconds,
                variables=originate_variables(request),
                channel_id=uniqueid,
            )
        except (AmiConnectionLost, AmiTimeout) as err:
            raise CallMaybePlacedError(f"Originate of {request.key}: {err}") from err
        except AmiError as err:
            raise GatewayError(f"Originate of {request.key}: {err}", transient=False) from err

    async def find(self, request: DialRequest, since: datetime) -> str | None:
        """The channel id when either half of the attempt's channel is live, else None."""
        uniqueid = channel_id(request)
        tracker = self._ami.tracker
        live = tracker.by_uniqueid(uniqueid) or tracker.by_uniqueid(f"{uniqueid};2")
        return uniqueid if live is not None else None

    async def settle(self) -> None:
        """Until the outcomes of the calls placed so far have come (or their wait failed)."""
        while self._watching:
            await asyncio.gather(*self._watching, return_exceptions=True)

    async def close(self) -> None:
        """Stop waiting for outcomes (the calls go on in Asterisk)."""
        for task in list(self._watching):
            task.cancel()
        await asyncio.gather(*self._watching, return_exceptions=True)

    def _on_event(self, event: Message) -> None:
        if event.name != "DialEnd":
            return
        uniqueid = event.get("Uniqueid") or ""
        ours = uniqueid.removesuffix(";2")
        if uniqueid.endswith(";2") and ours in self._placing:
            self._dial_status[ours] = event.get("DialStatus") or ""

    async def _watch(self, key: str, uniqueid: str, outcome: asyncio.Future[Message]) -> None:
        try:
            event = await outcome
        except AmiConnectionLost as err:
            log.warning("attempt %s: outcome of %s unknown: %s", key, uniqueid, err)
            return
        finally:
            self._placing.discard(uniqueid)
            dial_status = self._dial_status.pop(uniqueid, None)
        result = originate_result(event, dial_status)
        if result is R.ANSWERED:  # its flow reports the result when the call is over
            log.info("attempt %s: %s answered", key, uniqueid)
            return
        if self._on_result is None:
            log.warning("attempt %s: %s with no result sink bound", key, result)
            return
        try:
            await self._on_result(key, result, uniqueid)
        except Exception:
            log.exception("attempt %s: the result %s was not taken", key, result)
