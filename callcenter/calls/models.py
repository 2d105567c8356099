"""Call states, event types and the record's value objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from callcenter.core.errors import NotFoundError
from callcenter.core.recordings import CallRecording


class CallState(StrEnum):
    """Where a call is in its life; the last four are ends."""

    RINGING = "ringing"
    IVR = "ivr"
    QUEUED = "queued"
    OFFERED = "offered"
    TALKING = "talking"
    WRAP_UP = "wrap_up"
    ENDED = "ended"
    ABANDONED = "abandoned"
    FAILED = "failed"
    VOICEMAIL = "voicemail"


TERMINAL_STATES = frozenset(
    {CallState.ENDED, CallState.ABANDONED, CallState.FAILED, CallState.VOICEMAIL}
)


class Direction(StrEnum):
    """Who placed the call."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallEventType(StrEnum):
    """Everything that can happen to a call, in the past tense."""

    STARTED = "started"
    IVR_ENTERED = "ivr_entered"
    IVR_STEP = "ivr_step"
    DIGITS_RECEIVED = "digits_received"
    CUSTOMER_IDENTIFIED = "customer_identified"
    LOOKUP_MADE = "lookup_made"
    QUEUED = "queued"
    OFFERED = "offered"
    OFFER_WITHDRAWN = "offer_withdrawn"
    AGENT_CONNECTED = "agent_connected"
    AGENT_LEFT = "agent_left"
    TRANSFERRED = "transferred"
    WRAP_UP_DONE = "wrap_up_done"
    HUNG_UP = "hung_up"
    FAILED = "failed"
    VOICEMAIL_LEFT = "voicemail_left"
    TICKET_LINKED = "ticket_linked"
    SURVEY_ANSWERED = "survey_answered"
    RECORDING_READY = "recording_ready"
    # the live call with an agent (agents.live); none changes the call's state
    HELD = "held"
    RESUMED = "resumed"
    CONSULT_STARTED = "consult_started"
    CONSULT_ANSWERED = "consult_answered"
    CONSULT_CANCELLED = "consult_cancelled"
    CONSULT_COMPLETED = "consult_completed"
    CONFERENCE_STARTED = "conference_started"
    RECORDING_STARTED = "recording_started"
    RECORDING_PAUSED = "recording_paused"
    RECORDING_RESUMED = "recording_resumed"
    RECORDING_FAILED = "recording_failed"
    RECORDING_DELETED = "recording_deleted"
    MONITOR_STARTED = "monitor_started"
    MONITOR_ENDED = "monitor_ended"
    PROVIDER_STATUS = "provider_status"
    NOTE_ADDED = "note_added"
    IVR_REBUILT = "ivr_rebuilt"  # issue 17: the IVR session, lost, rebuilt from the record


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One appended fact about a call."""

    call_id: str
    seq: int
    at: datetime
    type: CallEventType
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """The call's summary, derived from its events (rebuildable at any time)."""

    id: str
    direction: Direction
    from_number: str
    to_number: str
    state: CallState
    started_at: datetime
    customer_id: int | None = None
    account_id: int | None = None
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    queue: str | None = None
    agent_id: int | None = None
    disposition: str | None = None
    ivr_path: tuple[str, ...] = ()
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    end_reason: str | None = None
    survey_score: int | None = None
    last_seq: int = 0
    simulated: bool = False  # placed by `callcenter ivr simulate`: left out of reports
    recording: CallRecording | None = None  # issue 16: from the recording_* events

    @property
    def is_over(self) -> bool:
        """True once the call has reached an end state."""
        return self.state in TERMINAL_STATES


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """A telephony provider's id for (a leg of) a call."""

    provider: str
    provider_id: str


@dataclass(frozen=True, slots=True)
class CallQuery:
    """Filters for searching call records; times are half-open [since, until)."""

    since: datetime | None = None
    until: datetime | None = None
    number: str | None = None
    customer_id: int | None = None
    agent_id: int | None = None
    disposition: str | None = None
    limit: int = 50
    offset: int = 0
    include_simulated: bool = False  # simulator calls are left out unless asked for
    direction: Direction | None = None  # inbound or outbound (campaign calls) only


@dataclass(frozen=True, slots=True)
class LinkedTicket:
    """A ticket a call created or touched."""

    ticket_id: int
    number: str
    type: str
    status: str
    relation: str


class NoSuchCallError(NotFoundError):
    """No call has that id."""

    default_code = "no-such-call"
