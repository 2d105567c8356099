"""回访 by campaign: the result of each satisfaction-callback call is recorded on its ticket.

`CallbackResults` stands in front of the outbound runtime's event sink (the webhooks): it
forwards every event, and for an `attempt.result` of a `satisfaction-callback` campaign it
records a callback on the target's ticket from the rating keyed in the message flow (the
call's survey score): 1-2 unsatisfied, 3-5 satisfied (the pack's figure), none unreachable.
Attempts that placed no call (refused by the gate, uncertain, skipped) are no callback.
"""

from __future__ import annotations

import logging
from typing import Any

from callcenter.calls.service import CallService
from callcenter.campaigns.runtime import Outbound
from callcenter.core.errors import CallcenterError
from callcenter.core.events import Event, EventSink
from callcenter.tickets import followup
from callcenter.tickets.callbacks import Callback, CallbackService
from callcenter.tickets.models import Actor
from outbound.models import AttemptResult, CampaignType

log = logging.getLogger(__name__)
NO_CALL = frozenset({AttemptResult.REFUSED, AttemptResult.UNCERTAIN, AttemptResult.SKIPPED})


class CallbackResults:
    """An `EventSink` that also turns satisfaction-callback results into ticket callbacks;
    a callback that cannot be recorded (the ticket closed meanwhile) is logged, never
    raised into the dialer."""

    def __init__(
        self, inner: EventSink, outbound: Outbound, calls: CallService, callbacks: CallbackService
    ) -> None:
        self._inner = inner
        self._outbound = outbound
        self._calls = calls
        self._callbacks = callbacks

    async def publish(self, event: Event) -> None:
        await self._inner.publish(event)
        if event.type != "attempt.result":
            return
        try:
            await self._record(event.data)
        except CallcenterError as err:
            log.warning(
                "callback of attempt %s not recorded: %s", event.data.get("attempt_id"), err
            )

    async def _ticket_of(self, data: Any) -> int | None:
        """The ticket a satisfaction-callback attempt called about, else None."""
        record = await self._outbound.campaigns.get(int(data["campaign_id"]))
        if record.campaign.type is not CampaignType.SATISFACTION_CALLBACK:
            return None
        found = await self._outbound.stores.attempts.get(int(data["attempt_id"]))
        ticket_id = None if found is None else found[1].values.get("ticket_id")
        return None if ticket_id is None else int(ticket_id)

    async def _record(self, data: Any) -> None:
        result = AttemptResult(data["result"])
        if result in NO_CALL:
            return
        ticket_id = await self._ticket_of(data)
        if ticket_id is None:
            return
        call_id = data.get("call_id")
        score = None if call_id is None else (await self._calls.get(call_id)).survey_score
        campaign_id = data["campaign_id"]
        callback = Callback(
            followup.outcome_for_score(self._callbacks.rules, score),
            score,
            note=f"campaign {campaign_id}, attempt {data['attempt_no']}: {result}",
            call_id=call_id,
            via="campaign",
        )
        actor = Actor(f"campaign:{campaign_id}", "system")
        await self._callbacks.record(ticket_id, callback, actor)
