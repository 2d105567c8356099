"""What SQL knows of the calls still waiting for an agent (queued or offered, not ended,
started in the last day), to put them back in line when Redis lost its data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.models import CallerLine
from agents.recovery.ports import OpenCall
from callcenter.storage.tables import call_events, call_provider_ids, calls

WAITING = ("queued", "offered")
HORIZON = timedelta(days=1)


class SqlOpenCalls:
    """Implements `agents.recovery.ports.OpenCalls`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def waiting(self, now: datetime) -> list[OpenCall]:
        query = (
            select(
                calls.c.id,
                calls.c.queue,
                calls.c.queued_at,
                calls.c.from_number,
                calls.c.to_number,
                calls.c.customer_id,
                calls.c.account_id,
                calls.c.simulated,
                call_provider_ids.c.provider,
                call_provider_ids.c.provider_id,
            )
            .select_from(
                calls.outerjoin(call_provider_ids, call_provider_ids.c.call_id == calls.c.id)
            )
            .where(
                and_(
                    calls.c.started_at >= now - HORIZON,
                    calls.c.state.in_(WAITING),
                    calls.c.ended_at.is_(None),
                )
            )
            .order_by(calls.c.queued_at)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        found: dict[str, OpenCall] = {}
        for r in rows:
            if r.id in found or r.queued_at is None:
                continue
            line = CallerLine(
                r.from_number,
                r.to_number,
                r.provider or "",
                r.provider_id or "",
                customer_id=r.customer_id,
                account_id=r.account_id,
            )
            found[r.id] = OpenCall(r.id, r.queue or "general", r.queued_at, line, r.simulated)
        routing = await self._routing(list(found))
        return [replace(call, **routing.get(call.call_id, {})) for call in found.values()]

    async def _routing(self, call_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each call's priority and skills as its last `queued` event gave them."""
        if not call_ids:
            return {}
        query = (
            select(call_events.c.call_id, call_events.c.data)
            .where(call_events.c.call_id.in_(call_ids), call_events.c.type == "queued")
            .order_by(call_events.c.call_id, call_events.c.seq)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        routing: dict[str, dict[str, Any]] = {}
        for call_id, data in rows:
            if isinstance(data, dict) and data.get("priority") is not None:
                skills = tuple(str(s) for s in data.get("skills") or ())
                routing[call_id] = {"priority": str(data["priority"]), "skills": skills}
        return routing
