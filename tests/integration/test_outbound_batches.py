"""The dialer's batch paths on SQLite and PostgreSQL: a target build by `INSERT … SELECT`
stores what the preview shows, and the batch attempt moves are the same compare-and-set as
the one-attempt ones."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.outbound_tables import campaign_attempts, campaign_targets
from outbound.models import AttemptState, TargetQuery, TargetQueryKind
from tests.conftest import NOW
from tests.integration.outbound_helpers import Stores, campaign, stores, town

K = TargetQueryKind


@pytest.mark.parametrize("kind", [K.OUTAGE, K.TICKET])
async def test_a_build_in_sql_stores_what_the_preview_shows(
    engine: AsyncEngine, kind: TargetQueryKind
) -> None:
    t = await town(engine)
    s = stores(engine)
    query = TargetQuery(kind, str(t.outage_id if kind is K.OUTAGE else t.ticket_id))
    preview = await s.targets.preview(query, NOW, sample=100)
    campaign_id = await campaign(s, NOW, query)
    assert await s.targets.build(campaign_id, query, NOW) == preview.count
    c = campaign_targets.c
    columns = (c.customer_id, c.account_id, c.phone, c["values"], c.vulnerable, c.area, c.disputed)
    stored_query = select(*columns).where(c.campaign_id == campaign_id).order_by(c.id)
    async with engine.connect() as conn:
        stored = [tuple(row) for row in await conn.execute(stored_query)]
    expected = [
        (p.customer_id, p.account_id, p.phone, p.values, p.vulnerable, p.area, p.disputed)
        for p in preview.sample
    ]
    assert stored == expected


async def _claimed(engine: AsyncEngine, n: int) -> tuple[Stores, list[int]]:
    t = await town(engine)
    s = stores(engine)
    query = TargetQuery(K.OUTAGE, str(t.outage_id))
    campaign_id = await campaign(s, NOW, query)
    assert await s.targets.build(campaign_id, query, NOW) >= n
    claimed = await s.attempts.claim(campaign_id, n, NOW, "test")
    return s, [a.id for a, _ in claimed]


async def test_batch_moves_change_only_attempts_in_the_expected_state(
    engine: AsyncEngine,
) -> None:
    s, (first, second) = await _claimed(engine, 2)
    assert await s.attempts.mark_sending(first, NOW) is not None  # moved one by one before
    moved = await s.attempts.mark_sending_many([first, second], NOW)
    assert [a.id for a in moved] == [second]
    assert moved[0].state is AttemptState.SENDING
    placed = await s.attempts.mark_placed_many([(first, "CA1"), (second, "CA2")], NOW)
    assert sorted((a.id, a.provider_id) for a in placed) == [(first, "CA1"), (second, "CA2")]
    assert await s.attempts.mark_placed_many([(first, "CA9")], NOW) == []  # twice: no change
    await s.attempts.link_calls([(first, "C" * 26), (second, "D" * 26)])
    a = campaign_attempts.c
    query = select(a.id, a.state, a.provider_id, a.call_id).where(a.id.in_([first, second]))
    async with engine.connect() as conn:
        rows = sorted(tuple(row) for row in await conn.execute(query))
    assert rows == [(first, "placed", "CA1", "C" * 26), (second, "placed", "CA2", "D" * 26)]
