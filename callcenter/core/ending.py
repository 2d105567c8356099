"""Who ended a call: the vocabulary of a call record's `end_reason`, shared by the ACD, the
call record and the telephony adapters."""

from __future__ import annotations

from enum import StrEnum


class EndedBy(StrEnum):
    """Who ended the call (or, for a call answered by an agent, the conversation)."""

    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"  # the reconciler, a timer, a supervisor's action
    NETWORK = "network"  # the provider or the link dropped the call
    MAX_WAIT = "max-wait"  # the queue's maximum wait passed: ended politely
    CALLBACK_REQUESTED = "callback-requested"  # the caller hung up keeping the place
    IVR_ENDED = "ivr-ended"  # the flow hung up (end of the menu, of the survey)
