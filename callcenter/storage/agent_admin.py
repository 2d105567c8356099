"""`SqlAgentAdminStore`: agents with device, languages, skills, queues, account-manager links
and the enabled flag, as administrators edit them; every write audited in its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agents.admin.models import (
    AgentChanges,
    AgentExistsError,
    AgentRecord,
    Device,
    DeviceKind,
    NewAgent,
    NoSuchAdminAgentError,
    UnknownCustomerError,
    UserRef,
)
from callcenter.core.audit import Stamp, before_after
from callcenter.storage.audit import write_audit
from callcenter.storage.tables import agent_queues, agent_skills, agents, customers, users


async def _records(conn: AsyncConnection, where: ColumnElement[bool]) -> list[AgentRecord]:
    rows = (
        await conn.execute(
            select(agents, users.c.username, users.c.display_name)
            .join(users, users.c.id == agents.c.user_id)
            .where(where)
            .order_by(agents.c.user_id)
        )
    ).all()
    ids = [row.user_id for row in rows]
    skills: dict[int, dict[str, int]] = {}
    queues: dict[int, dict[str, int]] = {}
    manages: dict[int, list[int]] = {}
    if ids:
        for r in await conn.execute(select(agent_skills).where(agent_skills.c.agent_id.in_(ids))):
            skills.setdefault(r.agent_id, {})[r.skill] = int(r.level)
        for r in await conn.execute(select(agent_queues).where(agent_queues.c.agent_id.in_(ids))):
            queues.setdefault(r.agent_id, {})[r.queue] = int(r.level)
        managed = select(customers.c.id, customers.c.account_manager_id).where(
            customers.c.account_manager_id.in_(ids)
        )
        for r in await conn.execute(managed.order_by(customers.c.id)):
            manages.setdefault(r.account_manager_id, []).append(int(r.id))
    return [
        AgentRecord(
            row.user_id,
            row.username,
            row.display_name,
            Device(DeviceKind(row.device_kind), row.device_address),
            tuple(x.strip() for x in row.languages.split(",") if x.strip()),
            skills.get(row.user_id, {}),
            queues.get(row.user_id, {}),
            tuple(manages.get(row.user_id, ())),
            bool(row.enabled),
        )
        for row in rows
    ]


async def _one(conn: AsyncConnection, agent_id: int) -> AgentRecord | None:
    found = await _records(conn, agents.c.user_id == agent_id)
    return found[0] if found else None


async def _check_customers(conn: AsyncConnection, ids: Iterable[int]) -> None:
    wanted = set(ids)
    if not wanted:
        return
    found = await conn.execute(select(customers.c.id).where(customers.c.id.in_(sorted(wanted))))
    missing = sorted(wanted - {int(r.id) for r in found})
    if missing:
        raise UnknownCustomerError(f"no customer with id {', '.join(map(str, missing))}")


async def _set_levels(
    conn: AsyncConnection, table: Any, column: str, agent_id: int, levels: Mapping[str, int]
) -> None:
    await conn.execute(delete(table).where(table.c.agent_id == agent_id))
    if levels:
        await conn.execute(
            insert(table),
            [{"agent_id": agent_id, column: name, "level": lvl} for name, lvl in levels.items()],
        )


async def _set_manages(conn: AsyncConnection, agent_id: int, ids: tuple[int, ...]) -> None:
    await _check_customers(conn, ids)
    await conn.execute(
        update(customers)
        .where(customers.c.account_manager_id == agent_id, customers.c.id.not_in(ids))
        .values(account_manager_id=None)
    )
    if ids:
        await conn.execute(
            update(customers).where(customers.c.id.in_(ids)).values(account_manager_id=agent_id)
        )


def _row_values(changes: AgentChanges) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if changes.device is not None:
        values |= {
            "device_kind": changes.device.kind.value,
            "device_address": changes.device.address,
        }
    if changes.languages is not None:
        values["languages"] = ",".join(changes.languages)
    if changes.enabled is not None:
        values["enabled"] = changes.enabled
    return values


def _action(before: AgentRecord, after: AgentRecord) -> str:
    if before.enabled != after.enabled and before.as_json() | {"enabled": None} == (
        after.as_json() | {"enabled": None}
    ):
        return "enable" if after.enabled else "disable"
    return "update"


class SqlAgentAdminStore:
    """Implements `agents.admin.ports.AgentAdminStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def user(self, username: str) -> UserRef | None:
        query = select(users.c.id, users.c.username, users.c.role).where(
            users.c.username == username
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else UserRef(row.id, row.username, row.role)

    async def agents(self) -> list[AgentRecord]:
        async with self._engine.connect() as conn:
            return await _records(conn, true())

    async def agent(self, agent_id: int) -> AgentRecord | None:
        async with self._engine.connect() as conn:
            return await _one(conn, agent_id)

    async def create(self, user: UserRef, new: NewAgent, stamp: Stamp) -> AgentRecord:
        async with self._engine.begin() as conn:
            exists = select(func.count()).where(agents.c.user_id == user.user_id)
            if (await conn.execute(exists)).scalar_one():
                raise AgentExistsError(f"user {user.username!r} is an agent already")
            await conn.execute(
                insert(agents).values(
                    user_id=user.user_id,
                    device_kind=new.device.kind.value,
                    device_address=new.device.address,
                    languages=",".join(new.languages),
                    enabled=True,
                )
            )
            await _set_levels(conn, agent_skills, "skill", user.user_id, new.skills)
            await _set_levels(conn, agent_queues, "queue", user.user_id, new.queues)
            await _set_manages(conn, user.user_id, new.manages)
            created = await _one(conn, user.user_id)
            assert created is not None
            data = before_after(None, created.as_json())
            await write_audit(conn, stamp.entry("agent", user.user_id, "create", data))
        return created

    async def update(
        self, agent_id: int, changes: AgentChanges, stamp: Stamp
    ) -> tuple[AgentRecord, AgentRecord]:
        async with self._engine.begin() as conn:
            before = await _one(conn, agent_id)
            if before is None:
                raise NoSuchAdminAgentError(f"no agent with id {agent_id}")
            values = _row_values(changes)
            if values:
                await conn.execute(
                    update(agents).where(agents.c.user_id == agent_id).values(values)
                )
            if changes.skills is not None:
                await _set_levels(conn, agent_skills, "skill", agent_id, changes.skills)
            if changes.queues is not None:
                await _set_levels(conn, agent_queues, "queue", agent_id, changes.queues)
            if changes.manages is not None:
                await _set_manages(conn, agent_id, changes.manages)
            after = await _one(conn, agent_id)
            assert after is not None
            data = before_after(before.as_json(), after.as_json())
            await write_audit(conn, stamp.entry("agent", agent_id, _action(before, after), data))
        return before, after
