"""`SqlAttemptWaits`: why a campaign's unfinished attempts wait, from the attempts table
alone: a pending attempt not yet due is explained by the attempt before it (same target,
`attempt_no - 1`, through the idempotency key's index), grouped with the earliest due time;
attempts stuck in `sending` and those left `uncertain` are counted apart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts
from outbound.models import AttemptResult, AttemptState
from outbound.reports.models import SCHEDULED, SENDING, UNCERTAIN, AttemptWait

A = campaign_attempts


def _retries(campaign_id: int, now: datetime) -> Select[Any]:
    previous = A.alias("previous")
    joined = A.outerjoin(
        previous,
        and_(
            previous.c.campaign_id == A.c.campaign_id,
            previous.c.target_id == A.c.target_id,
            previous.c.attempt_no == A.c.attempt_no - 1,
        ),
    )
    why = case(
        (previous.c.result == AttemptResult.REFUSED.value, previous.c.reason),
        (previous.c.result.is_not(None), previous.c.result),
        else_=literal(SCHEDULED),
    )
    return (
        select(why.label("why"), func.count(), func.min(A.c.not_before))
        .select_from(joined)
        .where(
            A.c.campaign_id == campaign_id,
            A.c.state == AttemptState.PENDING.value,
            A.c.not_before > now,
        )
        .group_by(why)
    )


def _for_people(campaign_id: int) -> Select[Any]:
    sending = A.c.state == AttemptState.SENDING.value
    why = case((sending, literal(SENDING)), else_=literal(UNCERTAIN))
    return (
        select(why.label("why"), func.count())
        .where(
            A.c.campaign_id == campaign_id,
            or_(sending, A.c.result == AttemptResult.UNCERTAIN.value),
        )
        .group_by(why)
    )


class SqlAttemptWaits:
    """`outbound.waits.AttemptWaits` in SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def waits(self, campaign_id: int, now: datetime) -> list[AttemptWait]:
        """Waiting attempts by reason: retries not yet due (earliest first), then the
        attempts in `sending` and the `uncertain` ones."""
        async with reader(self._engine).connect() as conn:
            retries = (await conn.execute(_retries(campaign_id, now))).all()
            people = (await conn.execute(_for_people(campaign_id))).all()
        timed = sorted(
            (AttemptWait(str(why), int(n), first) for why, n, first in retries),
            key=lambda w: (w.earliest or now, w.reason),
        )
        others = sorted(
            (AttemptWait(str(why), int(n)) for why, n in people), key=lambda w: w.reason
        )
        return [*timed, *others]
