"""Agents' presence at work: log in, hand-set states, every change recorded with its actor
and pushed to the agent's desk; the desk's own liveness and what a reconnecting desk gets."""

from __future__ import annotations

from typing import Any

from agents.models import (
    Actorship,
    AgentState,
    NotReadyReason,
    Presence,
    PresenceEvent,
)
from agents.ports import AcdState, AgentDirectory
from agents.presence import MANUAL_FROM, NoCallError, StateConflictError, check_manual, parse_manual
from agents.roster import Roster
from callcenter.core.audit import AuditEntry, Editor, Stamp
from callcenter.core.clock import Clock

S = AgentState


class PresenceService:
    """Presence changes (compare-and-set in shared state), their history and desk messages."""

    def __init__(
        self, state: AcdState, directory: AgentDirectory, roster: Roster, clock: Clock
    ) -> None:
        self._state = state
        self._directory = directory
        self._roster = roster
        self._clock = clock

    def now_ms(self) -> int:
        """The clock, in ms since 1970."""
        return int(self._clock.now().timestamp() * 1000)

    async def presence(self, agent_id: int) -> Presence:
        """The agent's presence now."""
        self._roster.agent(agent_id)
        return (await self._state.presences([agent_id]))[agent_id]

    async def presences(self) -> dict[int, Presence]:
        """Every configured agent's presence, in one round trip."""
        return await self._state.presences(self._roster.ids())

    async def change(
        self,
        agent_id: int,
        allowed: frozenset[AgentState],
        new: Presence,
        actor: Actorship,
        wrap_up_until_ms: int | None = None,
        *,
        call_id: str | None = None,
        editor: Editor | None = None,
    ) -> tuple[bool, Presence]:
        """Apply `new` if the agent is in one of `allowed` (and on `call_id`, if given);
        recorded and announced when applied (audited too when an `editor` asked for it).
        (applied, previous)."""
        applied, previous = await self._state.set_presence(
            agent_id, allowed, new, wrap_up_until_ms, call_id=call_id
        )
        if applied:
            await self.announce(agent_id, previous, new, actor, wrap_up_until_ms, editor=editor)
        return applied, previous

    async def announce(
        self,
        agent_id: int,
        previous: Presence,
        new: Presence,
        actor: Actorship,
        wrap_up_until_ms: int | None = None,
        *,
        editor: Editor | None = None,
    ) -> None:
        """Record a change that happened (in a claim or another script) and push it to the
        agent's desk; a change an `editor` asked for is audited with the record."""
        event = PresenceEvent(
            agent_id,
            new.since_ms,
            previous.state,
            new.state,
            actor.kind,
            actor.user_id,
            new.reason,
            new.call_id or previous.call_id,
        )
        audit = []
        if editor is not None:
            stamp = Stamp(self._clock.now(), editor)
            audit.append(state_entry(stamp, agent_id, previous, new))
        await self._directory.record([event], audit)
        message: dict[str, Any] = {"type": "state", **presence_json(new)}
        if wrap_up_until_ms is not None:
            message["wrap_up_until_ms"] = wrap_up_until_ms
        await self._state.publish(agent_id, message)

    async def login(
        self, agent_id: int, actor: Actorship, editor: Editor | None = None
    ) -> Presence:
        """Log in: not ready (system) until the agent says ready; already in: unchanged."""
        self._roster.agent(agent_id)
        new = Presence(S.NOT_READY, self.now_ms(), NotReadyReason.SYSTEM.value)
        applied, previous = await self.change(
            agent_id, frozenset({S.LOGGED_OUT}), new, actor, editor=editor
        )
        return new if applied else previous

    async def set_state(
        self,
        agent_id: int,
        state: str,
        reason: str | None,
        actor: Actorship,
        editor: Editor | None = None,
    ) -> tuple[Presence, Presence]:
        """A hand-set change (ready, not ready with a reason, logged out), audited when an
        `editor` (a person over HTTP) asked for it. (new, previous): a previous `reserved`
        leaves an offer for the caller to withdraw."""
        self._roster.agent(agent_id)
        target, code = parse_manual(state, reason, actor.kind)
        check_manual(await self.presence(agent_id), target)
        new = Presence(target, self.now_ms(), code)
        applied, previous = await self.change(
            agent_id, MANUAL_FROM[target], new, actor, editor=editor
        )
        if not applied:
            check_manual(previous, target)
            raise StateConflictError(f"the agent's state changed to {previous.state}; try again")
        return new, previous

    async def current_call(self, agent_id: int, states: frozenset[AgentState]) -> str:
        """The agent's call while in one of `states`, else `NoCallError`."""
        presence = await self.presence(agent_id)
        if presence.state not in states or not presence.call_id:
            wanted = " or ".join(sorted(states))
            raise NoCallError(f"the agent is {presence.state}, not {wanted}")
        return presence.call_id

    async def desk_state(self, agent_id: int) -> dict[str, Any]:
        """What a (re)connecting desk needs: the presence and the call's pop, if any."""
        presence = await self.presence(agent_id)
        message: dict[str, Any] = {"type": "state", **presence_json(presence)}
        if presence.call_id:
            _, pop = await self._state.call_data(presence.call_id)
            message["call"] = {"call_id": presence.call_id, "pop": pop}
        return message

    async def desk_connected(self, agent_id: int) -> None:
        """A desk socket for the agent is open (and alive: called on each heartbeat)."""
        await self._state.desk_seen(agent_id, self.now_ms())

    async def desk_closed(self, agent_id: int) -> None:
        """The agent's last desk socket on this instance closed."""
        await self._state.desk_gone(agent_id, self.now_ms())


def state_entry(stamp: Stamp, agent_id: int, previous: Presence, new: Presence) -> AuditEntry:
    """The audit entry of a state change a person asked for: entity `agent-state`, the new
    state as its action."""
    data = {"from": previous.state.value, "to": new.state.value, "reason": new.reason}
    return stamp.entry("agent-state", agent_id, new.state.value, data)


def presence_json(presence: Presence) -> dict[str, Any]:
    """A presence as the desk receives it."""
    return {
        "state": presence.state.value,
        "reason": presence.reason,
        "since_ms": presence.since_ms,
        "call_id": presence.call_id,
    }
