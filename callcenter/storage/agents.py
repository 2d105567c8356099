"""`SqlAgentDirectory` (agents, skills, queue memberships, presence history) and
`SqlCallbackLog` (pending callbacks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.models import Actor, AgentState, PresenceEvent
from agents.ports import AgentInfo
from callcenter.core.audit import AuditEntry
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import (
    agent_events,
    agent_queues,
    agent_skills,
    agents,
    callbacks,
    users,
)


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class SqlAgentDirectory:
    """Implements `agents.ports.AgentDirectory`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def agents(self) -> list[AgentInfo]:
        people = (
            select(
                agents.c.user_id,
                users.c.username,
                users.c.display_name,
                agents.c.device_kind,
                agents.c.device_address,
                agents.c.languages,
                agents.c.enabled,
            )
            .join(users, users.c.id == agents.c.user_id)
            .where(users.c.disabled.is_(False))
            .order_by(agents.c.user_id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(people)).all()
            skill_rows = (await conn.execute(select(agent_skills))).all()
            queue_rows = (await conn.execute(select(agent_queues))).all()
        skills: dict[int, dict[str, int]] = {}
        for row in skill_rows:
            skills.setdefault(row.agent_id, {})[row.skill] = int(row.level)
        queues: dict[int, dict[str, int]] = {}
        for row in queue_rows:
            queues.setdefault(row.agent_id, {})[row.queue] = int(row.level)
        return [
            AgentInfo(
                row.user_id,
                row.username,
                row.display_name,
                row.device_kind,
                row.device_address,
                frozenset(x.strip() for x in row.languages.split(",") if x.strip()),
                skills.get(row.user_id, {}),
                queues.get(row.user_id, {}),
                bool(row.enabled),
            )
            for row in rows
        ]

    async def record(
        self, events: Sequence[PresenceEvent], audit: Sequence[AuditEntry] = ()
    ) -> None:
        if not events:
            return
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(agent_events),
                [
                    {
                        "agent_id": e.agent_id,
                        "at": _at(e.at_ms),
                        "from_state": e.from_state.value,
                        "to_state": e.to_state.value,
                        "reason": e.reason,
                        "actor": e.actor.value,
                        "actor_id": e.actor_id,
                        "call_id": e.call_id,
                    }
                    for e in events
                ],
            )
            for entry in audit:
                await write_audit(conn, entry)

    async def history(self, agent_id: int, limit: int) -> list[PresenceEvent]:
        query = (
            select(agent_events)
            .where(agent_events.c.agent_id == agent_id)
            .order_by(agent_events.c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            PresenceEvent(
                row.agent_id,
                _ms(row.at),
                AgentState(row.from_state),
                AgentState(row.to_state),
                Actor(row.actor),
                row.actor_id,
                row.reason,
                row.call_id,
            )
            for row in rows
        ]


class SqlCallbackLog:
    """Implements `agents.ports.CallbackLog`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def request(self, call_id: str, phone: str, queue: str, at_ms: int) -> None:
        async with self._engine.begin() as conn:
            found = await conn.execute(select(callbacks.c.id).where(callbacks.c.call_id == call_id))
            if found.first() is not None:
                return
            await conn.execute(
                insert(callbacks).values(
                    call_id=call_id,
                    phone=phone,
                    queue=queue,
                    status="pending",
                    requested_at=_at(at_ms),
                    updated_at=_at(at_ms),
                )
            )

    async def set_status(self, call_id: str, status: str, at_ms: int, agent_id: int | None) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(callbacks)
                .where(callbacks.c.call_id == call_id)
                .values(status=status, agent_id=agent_id, updated_at=_at(at_ms))
            )
