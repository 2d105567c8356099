"""Queued callbacks placed by the agent-assisted machinery: when a callback (a caller who
hung up keeping the place) reaches the head of its queue, the router reserves an agent; the
customer is dialled (through the gateway of the provider the caller came in on) and hears
who calls, then the reserved agent. Busy, no answer, a machine or a failure: the agent is
ready again and the callback goes back in line after the retry delay, up to the tries the
routing settings allow, then a note on the call record. A try is taken with a
compare-and-set in SQL: one callback is never dialled twice at once.

The callback's call keeps the id of the caller's call (the place in line was that call's);
the callback leg's events are notes on it. Calls to callbacks carry the key
`cb:<call id>:<try>` through the gateway."""

from __future__ import annotations

import logging
from datetime import timedelta

from agents.center import Acd
from agents.models import SYSTEM, CallerLine, QueueRequest, RoutedCall
from agents.presence import NoCallError
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.campaigns.gateways import GatewayBook, GatewayNotConfiguredError
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.storage.callback_tries import CallbackTry, SqlCallbackTries
from ivr_flows.commands import IvrReply
from ivr_flows.service import IvrService
from outbound.gateway import DialRequest, Gateway, GatewayError
from outbound.models import AttemptResult, CampaignType, GatewayKind

log = logging.getLogger(__name__)
PREFIX = "cb:"
AGENT_FLOW = "outbound-agent"
CONNECTED = frozenset({AttemptResult.ANSWERED, AttemptResult.CONFIRMED})
BATCH = 100


def is_callback_key(key: str) -> bool:
    """A key of a callback's call (not a campaign attempt's)."""
    return key.startswith(PREFIX)


def callback_key(call_id: str, tries: int) -> str:
    return f"{PREFIX}{call_id}:{tries}"


def call_of(key: str) -> str:
    """The call id in a callback key."""
    return key[len(PREFIX) :].rsplit(":", 1)[0]


class CallbackCalls:
    """Dial queued callbacks for their reserved agents; their answers, results and retries."""

    def __init__(
        self,
        settings: Settings,
        acd: Acd,
        gateways: GatewayBook,
        tries: SqlCallbackTries,
        calls: CallService,
        ivr: IvrService,
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._acd = acd
        self._gateways = gateways
        self._tries = tries
        self._calls = calls
        self._ivr = ivr
        self._clock = clock

    def _gateway(self, provider: str | None) -> Gateway:
        """The gateway of the provider the caller came in on; the simulated one when that
        provider places no calls here."""
        kind = {"twilio": GatewayKind.TWILIO, "asterisk": GatewayKind.ASTERISK}.get(provider or "")
        try:
            return self._gateways.get(kind) if kind else self._gateways.simulated
        except GatewayNotConfiguredError:
            return self._gateways.simulated

    async def _note(self, call_id: str, kind: str, **data: object) -> None:
        await self._calls.record(call_id, CallEventType.NOTE_ADDED, {"kind": kind, **data})

    async def reserved(self, call_id: str, call: RoutedCall, agent_id: int) -> None:
        """The router reserved `agent_id` for the callback: one try, dialled now."""
        taken = await self._tries.start(
            call_id, agent_id, call.line.provider or None, self._clock.now()
        )
        if taken is None or not call.phone:
            await self._acd.seats.release(call_id, "callback-not-waiting")
            return
        out = self._settings.outbound
        request = DialRequest(
            key=callback_key(call_id, taken.tries),
            attempt_id=0,
            to=call.phone,
            caller_id=call.line.called or out.caller_id,
            campaign_type=CampaignType.SATISFACTION_CALLBACK,
            flow=AGENT_FLOW,
            machine_detection=False,
            ring_seconds=out.ring_seconds,
        )
        gateway = self._gateway(taken.provider)
        try:
            provider_id = await gateway.place(request)
        except GatewayError as err:
            log.warning("callback %s: the gateway refused the call: %s", call_id, err)
            await self._over(call_id, taken, AttemptResult.FAILED)
            return
        await self._note(
            call_id,
            "callback_dialled",
            agent_id=agent_id,
            attempt=taken.tries,
            provider_id=provider_id,
        )

    async def answered(self, key: str, provider: str, provider_id: str) -> IvrReply | None:
        """The customer answered the callback: who calls, then the reserved agent."""
        call_id = call_of(key)
        routed = await self._acd.seats.routed(call_id)
        if routed is None:
            return None
        variables = {
            "lang": "zh-CN",
            "agent_reserved": await self._acd.seats.reserved_for(call_id) is not None,
            "attempt": key,
            "call_id": call_id,
            "caller": routed.phone or "",
            "provider": provider,
            "provider_call": provider_id,
            "outcome": "answered",
        }
        return await self._ivr.start(call_id, variables, flow=AGENT_FLOW)

    async def finished(self, key: str, result: AttemptResult) -> None:
        """The callback's call is over: connected (done; the agent wraps up) or not (the
        agent ready again, the callback back in line later, or over with a note)."""
        call_id = call_of(key)
        now = self._clock.now()
        if result in CONNECTED:
            await self._tries.finish(call_id, "done", now)
            await self._acd.call_ended(call_id, "callback-done")
            return
        await self._acd.seats.release(call_id, result.value)
        tries = int(key.rsplit(":", 1)[1])
        await self._over(call_id, CallbackTry(call_id, "", "", tries, None), result)

    async def _over(self, call_id: str, taken: CallbackTry, result: AttemptResult) -> None:
        routing, now = self._settings.routing, self._clock.now()
        if taken.tries >= routing.callback_tries:
            await self._tries.finish(call_id, "failed", now)
            await self._note(call_id, "callback_failed", tries=taken.tries, result=result.value)
            log.info("callback %s: no answer after %d tries", call_id, taken.tries)
            return
        next_at = now + timedelta(seconds=routing.callback_retry_seconds)
        await self._tries.finish(call_id, "pending", now, next_at)
        await self._note(call_id, "callback_retry", tries=taken.tries, result=result.value)

    async def simulated(self, key: str, result: AttemptResult) -> AttemptResult:
        """A simulated callback answered by a person: the reserved agent takes it."""
        call_id = call_of(key)
        agent_id = await self._acd.seats.reserved_for(call_id)
        if result not in CONNECTED or agent_id is None:
            return AttemptResult.NO_ANSWER if result in CONNECTED else result
        try:
            await self._acd.accept(agent_id, call_id, SYSTEM)
        except NoCallError as err:
            log.warning("simulated callback %s: agent %d not connected: %s", call_id, agent_id, err)
        return result

    async def requeue_due(self) -> int:
        """Callbacks whose retry time has come go back in line (once, whichever instance
        sees them first). How many."""
        now = self._clock.now()
        done = 0
        for due in await self._tries.due(now, BATCH):
            if not await self._tries.back_in_line(due.call_id, now):
                continue
            line = CallerLine(caller=due.phone, provider=due.provider or "")
            await self._acd.seats.hold_callback(
                QueueRequest(due.call_id, due.queue, line=line), due.phone
            )
            done += 1
        return done
