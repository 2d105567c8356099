"""The call lifecycle as a pure fold: `apply(record, event) -> record`.

`ringing → ivr → queued → offered → talking → wrap_up → ended`, with `abandoned`, `failed`
and `voicemail` as other ends. A caller hanging up in the queue or while an agent is being
offered the call is an abandon (unless the caller kept the place for a callback, or the
queue's maximum wait ended the call); hanging up while talking leaves the agent in wrap-up,
and the wrap-up's disposition ends the record. Events that do not move the state (look-ups,
links, notes, provider statuses, a late survey answer) are accepted in any state, also after
the end.

The talk time runs from the agent's answer to the end of the agent's leg (`agent_left`, or
the hang-up while talking), not to the end of the call: a survey after the agent left is not
talk. `end_reason` says who ended the call (`callcenter.core.ending.EndedBy`), from the
`by` of the first `agent_left` or `hung_up` that says it (else the hang-up's `reason`): for a
call answered by an agent, who ended the conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from callcenter.calls.models import (
    TERMINAL_STATES,
    CallEvent,
    CallEventType,
    CallRecord,
    CallState,
    Direction,
)
from callcenter.calls.recording_fold import RECORDING_HANDLERS  # issue 16 (recordings)
from callcenter.core.ending import EndedBy
from callcenter.core.errors import ConflictError
from callcenter.core.fast_replace import replace

S = CallState
E = CallEventType

# For each state-changing event: the states it may come from.
_ALLOWED: dict[CallEventType, frozenset[CallState]] = {
    E.IVR_ENTERED: frozenset({S.RINGING, S.IVR, S.TALKING}),
    E.QUEUED: frozenset({S.RINGING, S.IVR, S.QUEUED, S.OFFERED, S.TALKING}),
    E.OFFERED: frozenset({S.QUEUED, S.OFFERED}),
    E.OFFER_WITHDRAWN: frozenset({S.OFFERED, S.QUEUED}),
    E.AGENT_CONNECTED: frozenset({S.RINGING, S.IVR, S.QUEUED, S.OFFERED, S.TALKING}),
    E.AGENT_LEFT: frozenset({S.TALKING, S.WRAP_UP}),
    E.TRANSFERRED: frozenset({S.TALKING, S.IVR, S.QUEUED}),
    E.WRAP_UP_DONE: frozenset({S.WRAP_UP, S.TALKING}),
    E.FAILED: frozenset({S.RINGING}),
    E.VOICEMAIL_LEFT: frozenset({S.RINGING, S.IVR}),
}


class InvalidTransitionError(ConflictError):
    """An event that cannot happen in the call's current state."""

    default_code = "invalid-call-transition"


def apply(record: CallRecord, event: CallEvent) -> CallRecord:
    """Fold one event into the record."""
    allowed = _ALLOWED.get(event.type)
    if allowed is not None and record.state not in allowed:
        raise InvalidTransitionError(
            f"call {record.id}: {event.type} is not possible in state {record.state}"
        )
    handler = _HANDLERS.get(event.type)
    folded = handler(record, event.at, event.data) if handler else record
    if folded is record:
        return replace(record, last_seq=event.seq)
    object.__setattr__(folded, "last_seq", event.seq)  # a fresh copy nobody holds yet: one
    return folded  # copy per event instead of two (issue 17)


def open_record(event: CallEvent) -> CallRecord:
    """The record as a `started` event creates it."""
    if event.type is not E.STARTED:
        raise InvalidTransitionError(f"call {event.call_id}: the first event must be started")
    data = event.data
    return CallRecord(
        id=event.call_id,
        direction=Direction(data["direction"]),
        from_number=str(data["from_number"]),
        to_number=str(data["to_number"]),
        state=S.RINGING,
        started_at=event.at,
        last_seq=event.seq,
        simulated=bool(data.get("simulated", False)),
    )


def rebuild(events: Sequence[CallEvent]) -> CallRecord:
    """Derive the record from all of its events, first to last."""
    record = open_record(events[0])
    for event in events[1:]:
        record = apply(record, event)
    return record


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else max(int((end - start).total_seconds()), 0)


def _ivr_entered(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(r, state=S.IVR)


def _ivr_step(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    node = str(data.get("node", ""))
    return replace(r, ivr_path=(*r.ivr_path, node)) if node else r


def _identified(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(r, customer_id=data.get("customer_id"), account_id=data.get("account_id"))


def _queued(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    queued_at = r.queued_at if r.state in (S.QUEUED, S.OFFERED) else at
    return replace(r, state=S.QUEUED, queue=data.get("queue", r.queue), queued_at=queued_at)


def _offered(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(r, state=S.OFFERED, agent_id=data.get("agent_id"))


def _withdrawn(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(r, state=S.QUEUED, agent_id=None)


def _connected(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    wait = _seconds(r.queued_at, at) if r.wait_seconds is None else r.wait_seconds
    answered = r.answered_at or at
    return replace(
        r,
        state=S.TALKING,
        agent_id=data.get("agent_id", r.agent_id),
        answered_at=answered,
        wait_seconds=wait,
    )


def _agent_left(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    if r.state is not S.TALKING:
        return r  # left already (the desk's hang-up, then the device's leg)
    by = data.get("by")
    return replace(
        r,
        state=S.WRAP_UP,
        talk_seconds=_seconds(r.answered_at, at),
        end_reason=r.end_reason or (str(by) if by else None),
    )


def _transferred(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(r, queue=data.get("queue", r.queue))


def _wrap_up_done(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    talk = _seconds(r.answered_at, at) if r.state is S.TALKING else r.talk_seconds
    ended = r.ended_at or at
    return replace(
        r,
        state=S.ENDED,
        disposition=data.get("disposition"),
        talk_seconds=talk,
        ended_at=ended,
        end_reason=r.end_reason or "completed",
    )


CALLBACK_KEPT = EndedBy.CALLBACK_REQUESTED.value  # hung up keeping the place: not an abandon
MAX_WAIT = EndedBy.MAX_WAIT.value  # ended politely after the queue's maximum wait
_NOT_ABANDONS = frozenset({CALLBACK_KEPT, MAX_WAIT})


def ended_by(data: dict[str, Any]) -> str:
    """Who ended the call, from a hang-up's data: `by`, else `reason`, else the caller."""
    return str(data.get("by") or data.get("reason") or EndedBy.CALLER.value)


def _hung_up(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    if r.state in TERMINAL_STATES or (r.state is S.WRAP_UP and r.ended_at is not None):
        return r
    reason = ended_by(data)
    if r.state in (S.QUEUED, S.OFFERED) and reason in _NOT_ABANDONS:
        return replace(
            r,
            state=S.ENDED,
            ended_at=at,
            end_reason=reason,
            wait_seconds=_seconds(r.queued_at, at),
            disposition=reason,
        )
    if r.state in (S.QUEUED, S.OFFERED):
        return replace(
            r,
            state=S.ABANDONED,
            ended_at=at,
            end_reason=reason,
            wait_seconds=_seconds(r.queued_at, at),
            disposition="abandoned",
            agent_id=None,
        )
    if r.state is S.TALKING:
        return replace(
            r,
            state=S.WRAP_UP,
            ended_at=at,
            end_reason=reason,
            talk_seconds=_seconds(r.answered_at, at),
        )
    if r.state is S.WRAP_UP:
        return replace(r, ended_at=at, end_reason=r.end_reason or reason)
    disposition = "ivr-completed" if r.state is S.IVR else "abandoned"
    state = S.ENDED if r.state is S.IVR else S.ABANDONED
    return replace(r, state=state, ended_at=at, end_reason=reason, disposition=disposition)


def _failed(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    reason = str(data.get("reason", "failed"))
    return replace(r, state=S.FAILED, ended_at=at, end_reason=reason, disposition=reason)


def _voicemail(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    return replace(
        r, state=S.VOICEMAIL, ended_at=at, end_reason="voicemail", disposition="voicemail"
    )


def _survey(r: CallRecord, at: datetime, data: dict[str, Any]) -> CallRecord:
    score = data.get("score")
    return replace(r, survey_score=int(score)) if score is not None else r


_HANDLERS = {
    E.IVR_ENTERED: _ivr_entered,
    E.IVR_STEP: _ivr_step,
    E.CUSTOMER_IDENTIFIED: _identified,
    E.QUEUED: _queued,
    E.OFFERED: _offered,
    E.OFFER_WITHDRAWN: _withdrawn,
    E.AGENT_CONNECTED: _connected,
    E.AGENT_LEFT: _agent_left,
    E.TRANSFERRED: _transferred,
    E.WRAP_UP_DONE: _wrap_up_done,
    E.HUNG_UP: _hung_up,
    E.FAILED: _failed,
    E.VOICEMAIL_LEFT: _voicemail,
    E.SURVEY_ANSWERED: _survey,
    **RECORDING_HANDLERS,  # issue 16 (recordings): the recording on the record
}
