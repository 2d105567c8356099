"""Administration of the rules that hold across campaigns, in SQL: opt-outs listed, added
and removed, area suspensions listed, added and ended; each change audited in its own
transaction. Also the plain audit writer the outbound use cases append with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.audit import AuditEntry, Stamp
from callcenter.core.errors import ConflictError, NotFoundError
from callcenter.storage.audit import write_audit
from callcenter.storage.campaigns import _suspension_from
from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import area_suspensions, opt_outs
from outbound.models import AreaSuspension

S = area_suspensions


class NoSuchOptOutError(NotFoundError):
    """The number is not opted out."""

    default_code = "no-such-opt-out"


class NoSuchSuspensionError(NotFoundError):
    """No area suspension with that id."""

    default_code = "no-such-suspension"


class SuspensionEndedError(ConflictError):
    """The suspension has ended already."""

    default_code = "suspension-ended"


@dataclass(frozen=True, slots=True)
class OptOut:
    """A do-not-call number: since when, from where (keypress, agent, api, import)."""

    phone: str
    customer_id: int | None
    at: datetime
    source: str


@dataclass(frozen=True, slots=True)
class OptOutPage:
    """A page of opt-outs (newest first) and how many there are."""

    total: int
    opt_outs: list[OptOut]


def _opt_out(m: Mapping[Any, Any]) -> OptOut:
    return OptOut(m["phone"], m["customer_id"], m["at"], m["source"])


class SqlAuditWriter:
    """Appends audit entries, each in its own transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def write(self, entry: AuditEntry) -> None:
        """Append one entry."""
        async with self._engine.begin() as conn:
            await write_audit(conn, entry)


class SqlOptOutAdmin:
    """Opt-outs for people: pages, additions and (admin) removals, audited."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def page(self, limit: int, offset: int, phone: str | None = None) -> OptOutPage:
        """Opt-outs, newest first (only `phone` when given)."""
        where = [] if phone is None else [opt_outs.c.phone == phone]
        counted = select(func.count()).select_from(opt_outs).where(*where)
        query = (
            select(opt_outs)
            .where(*where)
            .order_by(opt_outs.c.at.desc(), opt_outs.c.phone)
            .limit(limit)
            .offset(offset)
        )
        async with reader(self._engine).connect() as conn:
            total = int((await conn.execute(counted)).scalar_one())
            rows = (await conn.execute(query)).all()
        return OptOutPage(total, [_opt_out(r._mapping) for r in rows])

    async def add(
        self, phone: str, source: str, customer_id: int | None, stamp: Stamp
    ) -> tuple[OptOut, bool]:
        """Opt `phone` out; (the opt-out, True) when new, (the first one, False) when the
        number was opted out already (its first time and source are kept)."""
        query = select(opt_outs).where(opt_outs.c.phone == phone)
        row = {"phone": phone, "customer_id": customer_id, "at": stamp.at, "source": source}
        try:
            async with self._engine.begin() as conn:
                found = (await conn.execute(query)).one_or_none()
                if found is not None:
                    return _opt_out(found._mapping), False
                await conn.execute(insert(opt_outs).values(row))
                data = {"source": source, "customer_id": customer_id}
                await write_audit(conn, stamp.entry("opt-out", phone, "create", data))
        except IntegrityError:  # opted out meanwhile by another request
            async with reader(self._engine).connect() as conn:
                return _opt_out((await conn.execute(query)).one()._mapping), False
        return _opt_out(row), True

    async def remove(self, phone: str, stamp: Stamp) -> OptOut:
        """Remove the opt-out of `phone` (`no-such-opt-out`, 404), audited with what it was."""
        query = select(opt_outs).where(opt_outs.c.phone == phone)
        async with self._engine.begin() as conn:
            found = (await conn.execute(query.with_for_update())).one_or_none()
            if found is None:
                raise NoSuchOptOutError(f"{phone} is not opted out")
            removed = _opt_out(found._mapping)
            await conn.execute(opt_outs.delete().where(opt_outs.c.phone == phone))
            data = {"source": removed.source, "since": removed.at.isoformat()}
            await write_audit(conn, stamp.entry("opt-out", phone, "delete", data))
        return removed


class SqlSuspensionAdmin:
    """Area suspensions for people: listed, added and ended, audited."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list_suspensions(self, at: datetime, in_force_only: bool) -> list[AreaSuspension]:
        """Suspensions newest first (only those in force or still to come at `at`)."""
        query = select(S).order_by(S.c.from_at.desc(), S.c.id.desc())
        if in_force_only:
            query = query.where(or_(S.c.until.is_(None), S.c.until > at))
        async with reader(self._engine).connect() as conn:
            return [_suspension_from(r._mapping) for r in await conn.execute(query)]

    async def add(
        self, area: str, reason: str, from_at: datetime, until: datetime | None, stamp: Stamp
    ) -> AreaSuspension:
        """Suspend campaign calls into `area` from `from_at` (to `until`, or open-ended)."""
        values = {
            "area": area,
            "reason": reason,
            "from_at": from_at,
            "until": until,
            "created_by": stamp.editor.role
            + ("" if stamp.editor.user_id is None else f":{stamp.editor.user_id}"),
        }
        async with self._engine.begin() as conn:
            row = (await conn.execute(insert(S).values(values).returning(*S.c))).one()
            created = _suspension_from(row._mapping)
            data = {"area": area, "reason": reason, "from_at": from_at.isoformat()}
            await write_audit(conn, stamp.entry("area-suspension", created.id, "create", data))
        return created

    async def end(self, suspension_id: int, stamp: Stamp) -> AreaSuspension:
        """End the suspension now (`no-such-suspension` 404, `suspension-ended` 409)."""
        query = select(S).where(S.c.id == suspension_id)
        async with self._engine.begin() as conn:
            found = (await conn.execute(query.with_for_update())).one_or_none()
            if found is None:
                raise NoSuchSuspensionError(f"no area suspension {suspension_id}")
            current = _suspension_from(found._mapping)
            if current.until is not None and current.until <= stamp.at:
                raise SuspensionEndedError(f"area suspension {suspension_id} has ended already")
            until = max(stamp.at, current.from_at)
            changed = update(S).where(S.c.id == suspension_id).values(until=until)
            await conn.execute(changed)
            await write_audit(conn, stamp.entry("area-suspension", suspension_id, "end", {}))
        return AreaSuspension(
            current.id, current.area, current.reason, current.from_at, until, current.created_by
        )
