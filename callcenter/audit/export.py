"""Audit entries as export lines: CSV (spreadsheet-safe) or NDJSON, the same fields as the
API's entries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from callcenter.audit.models import AuditRecord, ExportFormat
from callcenter.audit.schemas import AuditEntryOut

COLUMNS = tuple(AuditEntryOut.model_fields)
# a spreadsheet reads a cell starting with one of these as a formula (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.NDJSON: "application/x-ndjson",
}


def safe_cell(value: object) -> str:
    """A CSV cell's text, with a leading `'` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cells(row: dict[str, Any]) -> list[str]:
    data = json.dumps(row["data"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return [safe_cell(data if name == "data" else row[name]) for name in COLUMNS]


def header(fmt: ExportFormat) -> bytes:
    """What an export starts with: the CSV header line (NDJSON: nothing)."""
    return (",".join(COLUMNS) + "\r\n").encode() if fmt is ExportFormat.CSV else b""


def lines(fmt: ExportFormat, records: Iterable[AuditRecord]) -> bytes:
    """Entries as CSV rows or JSON lines (UTF-8)."""
    rows = [AuditEntryOut.of(r).model_dump(mode="json") for r in records]
    if fmt is ExportFormat.NDJSON:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_cells(row) for row in rows)
    return out.getvalue().encode()
