"""Why a campaign's attempts wait, on SQLite and PostgreSQL: retries not yet due grouped by
the previous attempt's refusal reason or result with their earliest time, attempts stuck in
`sending` and `uncertain` ones apart; attempts due now do not wait."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage.attempt_waits import SqlAttemptWaits
from outbound.models import AttemptResult, RefusalReason, TargetQuery, TargetQueryKind
from outbound.reports.models import AttemptWait
from tests.conftest import NOW
from tests.integration.outbound_helpers import campaign, stores, town

R = AttemptResult
CSV = "3300000001\n3300000002\n3300000003\n3300000004\n3300000006\n"
WINDOW = RefusalReason.OUTSIDE_WINDOW


async def test_waits_are_grouped_by_why_with_the_earliest_time(engine: AsyncEngine) -> None:
    s = stores(engine)
    await town(engine)
    campaign_id = await campaign(s, NOW)
    await s.targets.build(campaign_id, TargetQuery(TargetQueryKind.CSV, "a.csv"), NOW, CSV)
    busy, late, later, stuck, lost = [
        a.id for a, _ in await s.attempts.claim(campaign_id, 9, NOW, "t")
    ]
    await s.attempts.record_result(busy, R.BUSY, NOW, retry_at=NOW + timedelta(minutes=10))
    for attempt_id, hours in ((late, 22), (later, 20)):
        retry_at = NOW + timedelta(hours=hours)
        await s.attempts.record_result(attempt_id, R.REFUSED, NOW, reason=WINDOW, retry_at=retry_at)
    await s.attempts.mark_sending(stuck, NOW)
    await s.attempts.mark_sending(lost, NOW)
    await s.attempts.record_result(lost, R.UNCERTAIN, NOW)
    waits = SqlAttemptWaits(engine)

    assert await waits.waits(campaign_id, NOW) == [
        AttemptWait("busy", 1, NOW + timedelta(minutes=10)),
        AttemptWait("outside-window", 2, NOW + timedelta(hours=20)),
        AttemptWait("sending", 1),
        AttemptWait("uncertain", 1),
    ]
    assert (await waits.waits(campaign_id, NOW + timedelta(minutes=10)))[0] == AttemptWait(
        "outside-window", 2, NOW + timedelta(hours=20)
    )  # the busy line's retry is due: it no longer waits
    assert await waits.waits(campaign_id + 1, NOW) == []
