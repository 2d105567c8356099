"""Outbound calls as call records: opened when the gateway takes an attempt (direction
outbound, the customer and account known, the campaign and attempt in a note), closed
through the one call-ending use case when the attempt's result is in."""

from __future__ import annotations

from callcenter.callflow.ending import CallEnding
from callcenter.calls.lifecycle import InvalidTransitionError
from callcenter.calls.models import CallEventType, CallState, Direction, ProviderRef
from callcenter.calls.service import CallService
from outbound.models import Attempt, AttemptResult, Campaign, GatewayKind, Target

E = CallEventType
NOT_CONNECTED = frozenset(
    {AttemptResult.BUSY, AttemptResult.NO_ANSWER, AttemptResult.FAILED, AttemptResult.SKIPPED}
)


def attempt_note(campaign: Campaign, attempt: Attempt) -> dict[str, object]:
    """What the call record says about the attempt it belongs to."""
    return {
        "kind": "campaign-attempt",
        "campaign_id": campaign.id,
        "campaign_type": campaign.type.value,
        "attempt_id": attempt.id,
        "attempt_no": attempt.attempt_no,
    }


class CallRecordLog:
    """`outbound.ports.OutboundCallLog` on the call service and the call-ending use case."""

    def __init__(self, calls: CallService, ending: CallEnding) -> None:
        self._calls = calls
        self._ending = ending

    async def placed(
        self,
        campaign: Campaign,
        attempt: Attempt,
        target: Target,
        provider: GatewayKind,
        provider_id: str,
        caller_id: str,
    ) -> str:
        ref = ProviderRef(provider.value, provider_id)
        record = await self._calls.start(Direction.OUTBOUND, caller_id, target.phone, ref)
        if record.last_seq <= 1:  # new: not a record the provider id had already
            identified = {"customer_id": target.customer_id, "account_id": target.account_id}
            note = attempt_note(campaign, attempt)
            await self._calls.record_many(
                record.id, [(E.CUSTOMER_IDENTIFIED, identified), (E.NOTE_ADDED, note)]
            )
        return record.id

    async def opened(
        self, campaign: Campaign, attempt: Attempt, target: Target, caller_id: str
    ) -> str:
        record = await self._calls.start(Direction.OUTBOUND, caller_id, target.phone)
        identified = {"customer_id": target.customer_id, "account_id": target.account_id}
        note = attempt_note(campaign, attempt)
        await self._calls.record_many(
            record.id, [(E.CUSTOMER_IDENTIFIED, identified), (E.NOTE_ADDED, note)]
        )
        return record.id

    async def dialled(self, call_id: str, provider: GatewayKind, provider_id: str) -> None:
        await self._calls.link_provider(call_id, ProviderRef(provider.value, provider_id))

    async def finished(self, call_id: str, result: AttemptResult) -> None:
        """Close the record once; a second closer racing the first (the result arriving
        while the record was being opened) finds it over and leaves it."""
        try:
            await self._finish(call_id, result)
        except InvalidTransitionError:
            if not (await self._calls.get(call_id)).is_over:
                raise

    async def _finish(self, call_id: str, result: AttemptResult) -> None:
        record = await self._calls.get(call_id)
        if record.is_over:
            return
        if result in NOT_CONNECTED and record.state is CallState.RINGING:
            await self._ending.ended(call_id, result.value, failed=True)
            return
        if record.state is CallState.RINGING:  # answered with no flow seen (the simulator)
            await self._calls.record(call_id, E.IVR_ENTERED, {"flow": "campaign"})
        await self._ending.ended(call_id, result.value)
