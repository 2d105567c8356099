"""The caller profile in one PostgreSQL statement: every part as JSON text, one round trip.

The generic path (`SqlCustomerDirectory._profile`) needs six round trips; on a busy hotline
the profile is read for every identified caller and every screen-pop, so PostgreSQL builds
it whole. Both paths return the same `ProfileData` (the profile tests run on both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import orjson
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.customers.models import ProfileData
from callcenter.storage.customer_rows import PART_CONVERTERS, account_from
from callcenter.storage.group_commit import GroupCommit
from callcenter.storage.pg import FastPg

_SQL = """
WITH acc AS (
  SELECT a.id, a.account_no, a.customer_id, a.service_point_id, a.tariff_class,
         a.payment_mode, a.prepaid_balance::text AS prepaid_balance, a.credit_score, a.status,
         s.address, s.district, s.feeder, s.area_class
  FROM accounts a JOIN service_points s ON s.id = a.service_point_id
  {match}
)
SELECT
  (SELECT json_agg(acc ORDER BY acc.account_no) FROM acc)::text AS accounts,
  (SELECT json_agg(c ORDER BY c.id) FROM (
     SELECT cu.id, cu.name, cu.customer_class, cu.important_grade, cu.account_manager_id,
            cu.vulnerable_flags, u.display_name AS manager_name
     FROM customers cu LEFT JOIN users u ON u.id = cu.account_manager_id
     WHERE cu.id IN (SELECT customer_id FROM acc)) c)::text AS customers,
  (SELECT json_agg(b ORDER BY b.account_id, b.period) FROM (
     SELECT account_id, period, amount::text AS amount, paid_amount::text AS paid_amount,
            due_date FROM bills
     WHERE account_id IN (SELECT id FROM acc) AND paid_amount < amount) b)::text AS bills,
  (SELECT json_agg(o ORDER BY o.start_at) FROM (
     SELECT o.id, o.kind, o.status, o.area, o.cause, o.start_at, o.estimated_restoration_at,
            f.feeder, NULL::bigint AS service_point_id
     FROM outages o JOIN outage_feeders f ON f.outage_id = o.id
     WHERE f.feeder IN (SELECT feeder FROM acc)
       AND o.status IN ('scheduled', 'active')
     UNION ALL
     SELECT o.id, o.kind, o.status, o.area, o.cause, o.start_at, o.estimated_restoration_at,
            '' AS feeder, p.service_point_id
     FROM outages o JOIN outage_service_points p ON p.outage_id = o.id
     WHERE p.service_point_id IN (SELECT service_point_id FROM acc)
       AND o.status IN ('scheduled', 'active')) o)::text AS outages,
  (SELECT json_agg(t ORDER BY t.created_at DESC) FROM (
     SELECT id, number, type, status, customer_id, account_id, created_at, due_at, summary,
            urge_count, sla_state
     FROM tickets
     WHERE customer_id IN (SELECT customer_id FROM acc)
       AND status NOT IN ('closed', 'cancelled')) t)::text AS tickets,
  (SELECT json_agg(k ORDER BY k.started_at DESC) FROM (
     SELECT id, customer_id, started_at, direction, state, disposition, agent_id FROM calls
     WHERE customer_id IN (SELECT customer_id FROM acc)
     ORDER BY started_at DESC
     LIMIT :per_customer * (SELECT count(DISTINCT customer_id) FROM acc)) k)::text AS calls
"""
_BY_PHONE = text(
    _SQL.format(match="JOIN account_phones p ON p.account_id = a.id WHERE p.phone = :key")
)
_BY_NUMBER = text(_SQL.format(match="WHERE a.account_no = :key"))
_ASYNCPG = {
    statement: statement.text.replace(":key", "$1").replace(":per_customer", "$2")
    for statement in (_BY_PHONE, _BY_NUMBER)
}
# Issue 17: the profiles of many keys in one statement, a row per key in their order.
_BATCHED = {
    statement: (
        "SELECT x.* FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) CROSS JOIN LATERAL ("
        + statement.text.replace(":key", "k.key").replace(":per_customer", "$2")
        + ") x ORDER BY k.n"
    )
    for statement in (_BY_PHONE, _BY_NUMBER)
}
# Keys per statement, and statements at a time (each on its own connection). Small batches
# on several connections keep PostgreSQL's cores busy while this process decodes the rows
# of the batch before: fifty look-ups at once were one statement of fifty (issue 17).
MAX_PROFILES = 20
PROFILE_STATEMENTS = 3

_CONVERTERS = (account_from, *PART_CONVERTERS)
Typed = tuple[tuple[str, Callable[[str], Any]], ...]
_TIME, _DAY = datetime.fromisoformat, date.fromisoformat
# What JSON has no type for, per part (in `_CONVERTERS` order): money comes as text (the
# statement casts it, so that no amount passes through a float), dates and times in ISO form.
_TYPED: tuple[Typed, ...] = (
    (("prepaid_balance", Decimal),),  # accounts
    (),  # customers
    (("amount", Decimal), ("paid_amount", Decimal), ("due_date", _DAY)),  # unpaid bills
    (("start_at", _TIME), ("estimated_restoration_at", _TIME)),  # outages
    (("created_at", _TIME), ("due_at", _TIME)),  # tickets
    (("started_at", _TIME),),  # recent calls
)


def _decode(raw: str | None, typed: Typed) -> list[dict[str, Any]]:
    """A part's JSON rows (orjson: a third of the standard decoder's time here)."""
    if raw is None:
        return []
    items: list[dict[str, Any]] = orjson.loads(raw)
    for item in items:
        for key, convert in typed:
            value = item.get(key)
            if value is not None:
                item[key] = convert(value)
    return items


class ProfileReads:
    """Issue 17: the look-ups many requests make at about the same time, in a few statements
    of up to `MAX_PROFILES` keys (`GroupCommit`: those asked while `PROFILE_STATEMENTS` run
    wait for the next). Fifty concurrent look-ups were fifty statements queued for the
    pool's connections; now they are three, each row the profile of its own key."""

    def __init__(self, fast: FastPg, max_batch: int = MAX_PROFILES) -> None:
        self._fast = fast
        self._max = max_batch
        self._groups: dict[tuple[str, int], GroupCommit[str, Sequence[Any]]] = {}
        self.statements = 0  # batches run (for tests and the benchmark)

    async def read(self, statement: TextClause, key: str, per_customer: int) -> ProfileData | None:
        """The profile data for `key` (None: no account), read with other waiting keys."""
        sql = _BATCHED[statement]
        group = self._groups.get((sql, per_customer))
        if group is None:
            run = partial(self._run, sql, per_customer)
            group = GroupCommit(run, self._max, PROFILE_STATEMENTS)
            self._groups[sql, per_customer] = group
        # Each request decodes its own row: the first of a batch goes on while the others
        # are decoded, rather than all waiting for the whole batch's decoding.
        return _profile(await group.submit(key))

    async def _run(
        self, sql: str, per_customer: int, keys: list[str]
    ) -> list[Sequence[Any] | Exception]:
        async with self._fast.acquire() as conn:
            rows: list[Sequence[Any] | Exception] = await conn.fetch(sql, keys, per_customer)
        self.statements += 1
        return rows


async def _fetch(
    engine: AsyncEngine, fast: FastPg | None, statement: TextClause, key: str, per_customer: int
) -> ProfileData | None:
    if fast is not None:
        async with fast.acquire() as conn:
            row: Sequence[Any] | None = await conn.fetchrow(_ASYNCPG[statement], key, per_customer)
    else:
        async with engine.connect() as conn:
            row = (await conn.execute(statement, {"key": key, "per_customer": per_customer})).one()
    return _profile(row)


def _profile(row: Sequence[Any] | None) -> ProfileData | None:
    if row is None or row[0] is None:
        return None
    parts = [
        () if raw is None else tuple(map(convert, _decode(raw, typed)))
        for raw, convert, typed in zip(row, _CONVERTERS, _TYPED, strict=True)
    ]
    return ProfileData(*parts)


async def by_phone(
    engine: AsyncEngine,
    phone: str,
    per_customer: int,
    fast: FastPg | None = None,
    reads: ProfileReads | None = None,
) -> ProfileData | None:
    """The profile data of every account registered to `phone` (batched with `reads`)."""
    if reads is not None:
        return await reads.read(_BY_PHONE, phone, per_customer)
    return await _fetch(engine, fast, _BY_PHONE, phone, per_customer)


async def by_account(
    engine: AsyncEngine,
    account_no: str,
    per_customer: int,
    fast: FastPg | None = None,
    reads: ProfileReads | None = None,
) -> ProfileData | None:
    """The profile data of one account (batched with `reads`)."""
    if reads is not None:
        return await reads.read(_BY_NUMBER, account_no, per_customer)
    return await _fetch(engine, fast, _BY_NUMBER, account_no, per_customer)
