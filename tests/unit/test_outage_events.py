"""Which events an outage change publishes (pure): a close (restored or cancelled), else a
changed ETR, else nothing — an edit of the area or the cause starts no campaign."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.outages.models import (
    Outage,
    OutageEventKind,
    OutageKind,
    OutageStatus,
)
from callcenter.outages.rules import events_of

START = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
OPEN = Outage(
    id=7,
    kind=OutageKind.FAULT,
    status=OutageStatus.ACTIVE,
    area="文三路沿线",
    cause="10kV线路故障跳闸",
    start_at=START,
    estimated_restoration_at=START + timedelta(hours=3),
    restored_at=None,
    feeders=("F01-001",),
    service_points=(),
    created_at=START,
    updated_at=None,
)
LATER = START + timedelta(hours=5)
K = OutageEventKind


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (replace(OPEN, area="文三路东段"), []),
        (replace(OPEN, cause="电缆故障"), []),
        (OPEN, []),
        (replace(OPEN, estimated_restoration_at=LATER), [K.ETR_CHANGED]),
        (replace(OPEN, status=OutageStatus.RESTORED, restored_at=LATER), [K.RESTORED]),
        (replace(OPEN, status=OutageStatus.CANCELLED), [K.CANCELLED]),
        (
            replace(OPEN, status=OutageStatus.RESTORED, estimated_restoration_at=LATER),
            [K.RESTORED],
        ),
    ],
    ids=["area", "cause", "nothing", "etr", "restored", "cancelled", "restored-with-etr"],
)
def test_events_of_an_update(after: Outage, expected: list[OutageEventKind]) -> None:
    events = events_of(OPEN, after)
    assert [e.kind for e in events] == expected
    assert all(e.outage is after and e.before is OPEN for e in events)


def test_a_closed_outage_changes_publish_nothing_more() -> None:
    closed = replace(OPEN, status=OutageStatus.RESTORED, restored_at=LATER)
    assert events_of(closed, replace(closed, estimated_restoration_at=LATER)) == []
