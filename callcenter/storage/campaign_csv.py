"""Targets from an uploaded CSV of account numbers: every line checked before anything is
stored, every refused line reported with its number and reason (all or nothing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import normalise_account
from callcenter.storage.tables import accounts
from callcenter.storage.target_queries import Plan, contacts
from outbound.models import Candidate, CsvRejection, TargetCsvError

HEADERS = frozenset({"account", "account_no", "account number", "户号"})
CHUNK = 1000


def parse(text: str) -> tuple[list[tuple[int, str]], list[CsvRejection]]:
    """(line, account number) pairs in file order, and the lines refused on their own
    (not an account number, repeated). Blank lines and a header line are skipped."""
    found: list[tuple[int, str]] = []
    rejected: list[CsvRejection] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        line = reader.line_num
        raw = row[0].strip() if row else ""
        if not raw or (line == 1 and raw.lower().lstrip("\ufeff") in HEADERS):
            continue
        try:
            account_no = normalise_account(raw)
        except InvalidInputError:
            rejected.append(CsvRejection(line, raw, "not an account number (10 to 13 digits)"))
            continue
        if account_no in seen:
            rejected.append(CsvRejection(line, raw, f"repeats line {seen[account_no]}"))
            continue
        seen[account_no] = line
        found.append((line, account_no))
    return found, rejected


async def _rows(conn: AsyncConnection, numbers: Sequence[str]) -> dict[str, RowMapping]:
    rows: dict[str, RowMapping] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = list(numbers[start : start + CHUNK])
        query = contacts().where(accounts.c.account_no.in_(chunk))
        for row in await conn.execute(query):
            rows[row.account_no] = row._mapping
    return rows


def _refusal(line: int, account_no: str, row: RowMapping | None) -> CsvRejection | None:
    if row is None:
        return CsvRejection(line, account_no, "no such account")
    if row["phone"] is None:
        return CsvRejection(line, account_no, "the account has no phone number")
    return None


async def candidates(conn: AsyncConnection, text: str | None) -> list[Candidate]:
    """Every target of the CSV `text`, in file order; raises `TargetCsvError` when any line
    is refused, naming all of them."""
    if text is None:
        raise InvalidInputError("a CSV query needs the file's content", code="csv-missing")
    found, rejected = parse(text)
    rows = await _rows(conn, [number for _, number in found])
    accepted: list[Any] = []
    for line, number in found:
        refusal = _refusal(line, number, rows.get(number))
        if refusal is None:
            accepted.append(rows[number])
        else:
            rejected.append(refusal)
    if rejected:
        raise TargetCsvError(tuple(sorted(rejected, key=lambda r: r.line)))
    if not accepted:
        raise InvalidInputError("the CSV holds no account numbers", code="csv-empty")
    return await Plan(contacts()).candidates(conn, accepted)
