"""The audit log's export lines (CSV cells a spreadsheet cannot run, NDJSON) and its
keyset paging, on a reader that hands out stored entries."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from callcenter.audit.export import COLUMNS, header, lines, safe_cell
from callcenter.audit.models import AuditFilter, AuditRecord, ExportFormat
from callcenter.audit.service import AuditTrail
from callcenter.core.audit import AuditEntry, Editor

AT = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)


def record(
    record_id: int, entity_id: str = "9", data: dict[str, object] | None = None
) -> AuditRecord:
    editor = Editor("admin", 1, "198.51.100.7")
    return AuditRecord(
        record_id, AuditEntry(AT, editor, "opt-out", entity_id, "create", data or {})
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+8613800000001", "'+8613800000001"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("ready", "ready"),
        ("a=b", "a=b"),
        (None, ""),
        (12, "12"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_rows_follow_the_header_with_formulas_quoted_and_data_as_json() -> None:
    text = header(ExportFormat.CSV) + lines(ExportFormat.CSV, [record(3, "=1+1", {"名": "张三"})])
    rows = list(csv.DictReader(io.StringIO(text.decode())))
    assert tuple(rows[0]) == COLUMNS
    assert rows == [
        {
            "id": "3",
            "at": "2025-06-01T08:30:00Z",
            "actor_role": "admin",
            "actor_id": "1",
            "address": "198.51.100.7",
            "entity": "opt-out",
            "entity_id": "'=1+1",
            "action": "create",
            "data": '{"名":"张三"}',
        }
    ]


def test_ndjson_has_no_header_and_one_object_a_line() -> None:
    assert header(ExportFormat.NDJSON) == b""
    text = lines(ExportFormat.NDJSON, [record(2), record(1, "=1")]).decode()
    objects = [json.loads(line) for line in text.splitlines()]
    assert [(o["id"], o["entity_id"], o["address"]) for o in objects] == [
        (2, "9", "198.51.100.7"),
        (1, "=1", "198.51.100.7"),  # JSON is not a spreadsheet: values as stored
    ]


class StoredLog:
    """Entries 1..n; remembers each read's (before_id, limit)."""

    def __init__(self, count: int) -> None:
        self.records = [record(i) for i in range(count, 0, -1)]
        self.reads: list[tuple[int | None, int]] = []

    async def newest(
        self, where: AuditFilter, before_id: int | None, limit: int
    ) -> list[AuditRecord]:
        self.reads.append((before_id, limit))
        below = [r for r in self.records if before_id is None or r.id < before_id]
        return below[:limit]


async def test_a_page_names_the_next_one_until_the_last() -> None:
    trail = AuditTrail(StoredLog(5))
    first = await trail.page(AuditFilter(), None, 2)
    second = await trail.page(AuditFilter(), first.next_before_id, 2)
    last = await trail.page(AuditFilter(), second.next_before_id, 2)
    assert [[r.id for r in p.records] for p in (first, second, last)] == [[5, 4], [3, 2], [1]]
    assert (first.next_before_id, second.next_before_id, last.next_before_id) == (4, 2, None)


async def test_an_exact_last_page_is_not_followed_by_an_empty_one() -> None:
    page = await AuditTrail(StoredLog(2)).page(AuditFilter(), None, 2)
    assert ([r.id for r in page.records], page.next_before_id) == ([2, 1], None)


async def test_an_export_reads_page_by_page() -> None:
    log = StoredLog(5)
    pages = [
        [r.id for r in chunk] async for chunk in AuditTrail(log, chunk=2).export(AuditFilter())
    ]
    assert pages == [[5, 4], [3, 2], [1]]
    assert log.reads == [(None, 3), (4, 3), (2, 3)]
