"""`SqlSlaCounter`: open tickets per team and SLA level, overdue and escalated, in one
GROUP BY (the ticket board's header and the wallboard's SLA tiles)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.tables import tickets
from callcenter.tickets.board.models import SlaCount
from callcenter.tickets.models import CLOCK_STOPPED, FINISHED

_FINISHED = tuple(s.value for s in FINISHED)
_STOPPED = tuple(s.value for s in CLOCK_STOPPED)


class SqlSlaCounter:
    """The counts, read from `tickets`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def counts(self, now: datetime) -> list[SlaCount]:
        """Open tickets per team and SLA level; overdue: past `due_at` with the clock
        running (as the ticket list's `overdue`)."""
        late = and_(
            tickets.c.due_at.is_not(None),
            tickets.c.due_at < now,
            tickets.c.status.not_in(_STOPPED),
        )
        query = (
            select(
                tickets.c.assignee_team,
                tickets.c.sla_state,
                func.count(),
                func.sum(case((late, 1), else_=0)),
                func.sum(case((tickets.c.escalation_level > 0, 1), else_=0)),
            )
            .where(tickets.c.status.not_in(_FINISHED))
            .group_by(tickets.c.assignee_team, tickets.c.sla_state)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            SlaCount(team, state, int(n), int(overdue or 0), int(escalated or 0))
            for team, state, n, overdue, escalated in rows
        ]
