"""Twilio retries a status callback it could not deliver (a server killed mid-request, a
timeout): the retry, with the same CallSid, CallStatus and SequenceNumber, must not write
the provider status to the call's record a second time (issue 17: no event duplicated).
Embedded and real stores."""

from __future__ import annotations

from callcenter.calls.models import CallEventType, ProviderRef
from callcenter.web.keys import CALLS
from tests.adapters import test_twilio_webhooks as webhooks
from tests.adapters.test_twilio_webhooks import Caller, Client

client, zhang = webhooks.client, webhooks.zhang
COMPLETED = {
    "CallStatus": "completed",
    "CallDuration": "42",
    "SequenceNumber": "3",
    "Timestamp": "Mon, 07 Dec 2026 00:10:00 +0000",
}


async def test_a_retried_status_callback_is_recorded_once(client: Client, zhang: int) -> None:
    caller = Caller(client)
    await caller.ring()
    for _ in range(2):  # the delivery and Twilio's retry
        assert (await caller.post("/twilio/status", COMPLETED)).status == 204
    ref = ProviderRef("twilio", caller.base["CallSid"])
    record = await client.app[CALLS].find_by_provider(ref)
    assert record is not None and record.is_over
    events = (await client.app[CALLS].detail(record.id)).events
    assert [e.type for e in events].count(CallEventType.PROVIDER_STATUS) == 1
