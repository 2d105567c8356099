"""Refusals of the live call on Asterisk (issue 16) that need no recorded answer: a caller
whose channel is gone, a consulted agent's device Asterisk cannot ring."""

from __future__ import annotations

import pytest

from agents.live.ports import LiveControlError
from agents.ports import AgentInfo
from callcenter.telephony.asterisk.live import AsteriskLive
from tests.adapters.asterisk_live_helpers import Transcript, agent, attached, bridged, live_call
from tests.adapters.test_asterisk_live import HOLD, HOLD_CALLER_ID


async def test_a_caller_whose_channel_is_gone_is_refused_without_an_action() -> None:
    asterisk = Transcript(HOLD, setup=[2])
    async with attached(asterisk) as (ami, live):
        await bridged(ami, HOLD_CALLER_ID)
        with pytest.raises(LiveControlError) as refused:
            await live.started(live_call("c1", "1.1"), True)
    assert refused.value.code == "channel-gone" and asterisk.sent == []


@pytest.mark.parametrize(
    ("target", "code"),
    [
        (agent(3, "twilio_client", "alice"), "consult-unreachable"),
        (agent(3, "sip", "bob"), "consult-unreachable"),
    ],
)
async def test_a_consult_to_a_device_asterisk_cannot_ring_is_refused(
    target: AgentInfo, code: str
) -> None:
    with pytest.raises(LiveControlError) as refused:
        await AsteriskLive().consult(live_call("c1", HOLD_CALLER_ID), target)
    assert refused.value.code == code
