"""The calendar data files' generator: its document, and the shipped files against the library."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from callcenter.core.work_calendar import CalendarOrigin, load_files, parse_document, to_document
from callcenter.devtools import calendar_gen


def test_a_year_from_the_library_tables() -> None:
    calendar = calendar_gen.year_calendar(
        2025,
        {date(2025, 10, 1): "National Day", date(2024, 10, 1): "National Day"},
        {date(2025, 10, 11): "National Day"},
        "test",
        date(2026, 12, 6),
    )
    assert [(d.day, d.kind.value, d.name) for d in calendar.days] == [
        (date(2025, 10, 1), "holiday", "国庆节 National Day"),
        (date(2025, 10, 11), "workday", "国庆节 National Day"),
    ]


def test_the_file_text_is_the_document() -> None:
    document = to_document(load_files()[2025])
    text = calendar_gen.dump(document)
    assert json.loads(text) == document
    assert '\n    {"date": "2025-01-26", "name": "春节 Spring Festival"}' in text


def test_without_the_library_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)
    assert calendar_gen.main(["2025", "--out", str(tmp_path)]) == 2
    assert "pip install" in capsys.readouterr().err


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_shipped_files_match_the_library(year: int, tmp_path: Path) -> None:
    library = pytest.importorskip("chinese_calendar")
    fresh = calendar_gen.from_library(library, year, date(2026, 12, 6))
    shipped = load_files()[year]
    assert fresh.days == shipped.days


def test_an_unknown_year_is_skipped_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("chinese_calendar")
    assert calendar_gen.main(["2026", "2099", "--out", str(tmp_path)]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["cn-2026.json"]
    assert "2099: skipped" in capsys.readouterr().err
    written = json.loads((tmp_path / "cn-2026.json").read_text("utf-8"))
    assert parse_document(written, CalendarOrigin.FILE).days == load_files()[2026].days
