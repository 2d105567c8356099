"""Presence rules, pure: which state changes are allowed, for whom, and what they record.

An agent is logged out, ready, not ready (with a reason), reserved (a call is offered), on a
call, or in wrap-up. Every change is a `PresenceEvent` naming who made it: the agent, a
supervisor, or the system (routing, offer timeouts, wrap-up timers, the reconciler).
"""

from __future__ import annotations

from agents.models import Actor, AgentState, NotReadyReason, Presence
from callcenter.core.errors import ConflictError, InvalidInputError

S = AgentState

# What an agent or a supervisor may set by hand, from which states. Reserved, on call and
# wrap-up are entered by the system (a claim, the call bridged, the call ended).
MANUAL_FROM: dict[AgentState, frozenset[AgentState]] = {
    S.READY: frozenset({S.NOT_READY, S.READY, S.WRAP_UP}),
    S.NOT_READY: frozenset({S.READY, S.NOT_READY, S.WRAP_UP, S.RESERVED}),
    S.LOGGED_OUT: frozenset({S.READY, S.NOT_READY, S.WRAP_UP, S.RESERVED, S.LOGGED_OUT}),
}
AGENT_REASONS = frozenset(
    {NotReadyReason.BREAK, NotReadyReason.MEAL, NotReadyReason.TRAINING, NotReadyReason.AFTER_CALL}
)


class StateConflictError(ConflictError):
    """The change does not apply to the agent's current state."""

    default_code = "agent-state-conflict"


class NoCallError(StateConflictError):
    """The agent has no such call (or offer)."""

    default_code = "no-such-offer"


class InvalidStateError(InvalidInputError):
    """Not a state (or reason) that can be set by hand."""

    default_code = "invalid-agent-state"


def parse_manual(state: str, reason: str | None, actor: Actor) -> tuple[AgentState, str | None]:
    """A hand-set state and its reason, checked: ready, not ready (a reason code is needed;
    agents may use break, meal, training, after-call; supervisors any), logged out."""
    try:
        target = AgentState(state)
    except ValueError:
        raise InvalidStateError(f"unknown agent state {state!r}") from None
    if target not in MANUAL_FROM:
        allowed = ", ".join(sorted(MANUAL_FROM))
        raise InvalidStateError(f"{target} is set by the system; set one of: {allowed}")
    if target is not S.NOT_READY:
        return target, None
    try:
        code = NotReadyReason(reason or "")
    except ValueError:
        codes = ", ".join(r.value for r in NotReadyReason)
        raise InvalidStateError(f"not ready needs a reason code, one of: {codes}") from None
    if actor is Actor.AGENT and code not in AGENT_REASONS:
        codes = ", ".join(sorted(r.value for r in AGENT_REASONS))
        raise InvalidStateError(f"agents set not ready with one of: {codes}")
    return target, code.value


def check_manual(current: Presence, target: AgentState) -> None:
    """Refuse a hand-set change that does not apply now (on a call: finish it first)."""
    if current.state not in MANUAL_FROM[target]:
        if current.state is S.ON_CALL:
            raise StateConflictError("the agent is on a call: hang up and wrap up first")
        if current.state is S.LOGGED_OUT:
            raise StateConflictError("the agent is logged out: log in first")
        raise StateConflictError(f"cannot go from {current.state} to {target}")
