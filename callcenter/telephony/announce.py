"""What a waiting caller hears about the queue, in the call's language, whatever the
telephony provider: `Say` commands of the `queue` flow's prompts, rendered by each adapter
like every other prompt."""

from __future__ import annotations

import math

from agents.models import QueuedInfo
from ivr_flows.commands import Say

FLOW = "queue"


def say(prompt: str, language: str, **params: object) -> Say:
    """A prompt of the queue flow."""
    return Say(FLOW, prompt, language, params)


def queue_announcement(info: QueuedInfo, language: str) -> list[Say]:
    """Position and estimated wait (or that no agent is there), and the callback offer when
    the queue makes one."""
    said = [say("position", language, ahead=max(info.position - 1, 0))]
    wait = info.estimated_wait_seconds
    if wait is None or math.isinf(wait):
        said.append(say("no_agent", language))
    else:
        said.append(say("wait", language, minutes=max(1, round(wait / 60))))
    if info.offer_callback:
        said.append(say("callback_offer", language))
    return said
