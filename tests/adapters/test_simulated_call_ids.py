"""The simulated gateway's call ids are unique across gateways (processes, restarts): a
call record is found by its provider id, so a repeated `SIM-1` from a second process (a
`campaign run` after the server, a restart) linked a new attempt to an old call."""

from __future__ import annotations

from callcenter.telephony.simulated import SimulatedGateway
from outbound.gateway import DialRequest
from outbound.models import CampaignType


def dial(key: str) -> DialRequest:
    return DialRequest(
        key, 1, "+8613800138000", "+861095598", CampaignType.BILL_REMINDER, "bill-reminder"
    )


async def test_two_gateways_never_give_the_same_call_id() -> None:
    first, second = SimulatedGateway(), SimulatedGateway()

    ids = [await first.place(dial("1:1:1")), await second.place(dial("2:1:1"))]
    ids.append(await first.place(dial("1:2:1")))
    await first.settle()
    await second.settle()

    assert len(set(ids)) == 3
    assert all(i.startswith("SIM-") and len(i) <= 64 for i in ids)
