"""`SqlContactHistory`: how often customers were dialled across every campaign, for the
compliance gate's frequency caps (one query per batch of customers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.db import reader
from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets, campaigns
from outbound.models import AttemptResult, CampaignType, ContactCounts

ARREARS_TYPES = (
    CampaignType.ARREARS_REMINDER,
    CampaignType.DISCONNECTION_NOTICE,
    CampaignType.RE_NOTICE,
)
# Not answered by a person: what the cn pack's "6 unanswered arrears calls a day" counts.
UNANSWERED = (
    AttemptResult.BUSY,
    AttemptResult.NO_ANSWER,
    AttemptResult.FAILED,
    AttemptResult.MACHINE,
    AttemptResult.UNCERTAIN,
)
CHUNK = 1000


class SqlContactHistory:
    """Dials are attempts that reached `sending` (their `sent_at`), whatever came after."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def contact_counts(
        self, customer_ids: Sequence[int], day_start: datetime, now: datetime
    ) -> dict[int, ContactCounts]:
        """Per dialled customer: dials today, in the last 30 days, unanswered arrears today."""
        found: dict[int, ContactCounts] = {}
        async with reader(self._engine).connect() as conn:
            for start in range(0, len(customer_ids), CHUNK):
                chunk = list(customer_ids[start : start + CHUNK])
                for row in await conn.execute(_query(chunk, day_start, now)):
                    found[int(row.customer_id)] = ContactCounts(
                        int(row.today), int(row.month), int(row.unanswered)
                    )
        return found


def _query(customer_ids: list[int], day_start: datetime, now: datetime) -> Select[Any]:
    a, t, c = campaign_attempts, campaign_targets, campaigns
    month_start = now - timedelta(days=30)
    today = a.c.sent_at >= day_start
    unanswered = and_(
        today,
        c.c.type.in_([k.value for k in ARREARS_TYPES]),
        a.c.result.in_([r.value for r in UNANSWERED]),
    )
    return (
        select(
            t.c.customer_id,
            func.sum(case((today, 1), else_=0)).label("today"),
            func.sum(case((a.c.sent_at >= month_start, 1), else_=0)).label("month"),
            func.sum(case((unanswered, 1), else_=0)).label("unanswered"),
        )
        .join(t, t.c.id == a.c.target_id)
        .join(c, c.c.id == a.c.campaign_id)
        .where(
            t.c.customer_id.in_(customer_ids),
            a.c.sent_at >= min(day_start, month_start),
            a.c.sent_at <= now,
        )
        .group_by(t.c.customer_id)
    )
