"""The ticket board's summary of the GROUP BY rows: figures per team and in all."""

from __future__ import annotations

import pytest

from callcenter.tickets.board.models import SlaCount, SlaFigures, figures, summarise
from tests.conftest import NOW

ZERO = {"ok": 0, "warn70": 0, "warn80": 0, "warn90": 0, "breached": 0}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], SlaFigures(0, ZERO, 0, 0, 0, 0)),
        (
            [SlaCount("a", "ok", 3, 1, 0), SlaCount("b", "ok", 2, 0, 1)],
            SlaFigures(5, ZERO | {"ok": 5}, 0, 0, 1, 1),
        ),
        (
            [
                SlaCount("a", "warn70", 1, 0, 0),
                SlaCount("a", "warn80", 2, 0, 0),
                SlaCount(None, "warn90", 4, 1, 0),
                SlaCount(None, "breached", 8, 8, 5),
            ],
            SlaFigures(
                15, ZERO | {"warn70": 1, "warn80": 2, "warn90": 4, "breached": 8}, 7, 8, 9, 5
            ),
        ),
    ],
)
def test_rows_add_up(rows: list[SlaCount], expected: SlaFigures) -> None:
    assert figures(rows) == expected


def test_teams_come_by_name_with_no_team_last() -> None:
    rows = [SlaCount(None, "ok", 1, 0, 0), SlaCount("z", "ok", 1, 0, 0)]
    rows.append(SlaCount("a", "ok", 2, 0, 0))
    found = summarise(rows, NOW)
    assert [(t.team, t.figures.open) for t in found.teams] == [("a", 2), ("z", 1), (None, 1)]
    assert (found.at, found.total.open) == (NOW, 4)
