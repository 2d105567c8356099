"""The SQL behind campaign target queries: each kind is one set-based SELECT giving one row
per target (customer, account, preferred number, flags), plus the values its message speaks.

A target's number is the account's preferred one: a mobile before a landline, then the
lowest; accounts without any number cannot be called and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from callcenter.core.errors import InvalidInputError
from callcenter.core.latefee import OverdueBill, late_fee
from callcenter.core.policy import LateFeeRules
from callcenter.outages.models import NoSuchOutageError
from callcenter.storage.tables import (
    account_phones,
    accounts,
    bills,
    customers,
    outage_feeders,
    outage_service_points,
    outages,
    service_points,
    tickets,
)
from callcenter.tickets.models import NoSuchTicketError
from outbound.models import Candidate, TargetQuery, TargetQueryKind

CONTACT_COLUMNS = (
    "customer_id",
    "account_id",
    "account_no",
    "phone",
    "vulnerable",
    "area",
    "disputed",
)


def _preferred_phone() -> ColumnElement[Any]:
    ap = account_phones
    first = case((ap.c.kind == "mobile", 0), else_=1)
    query = select(ap.c.phone).where(ap.c.account_id == accounts.c.id)
    return query.order_by(first, ap.c.phone).limit(1).scalar_subquery()


def _disputed() -> ColumnElement[Any]:
    unpaid = bills.c.paid_amount < bills.c.amount
    return exists().where(bills.c.account_id == accounts.c.id, bills.c.disputed == true(), unpaid)


def contacts(*extra: ColumnElement[Any]) -> Select[Any]:
    """Accounts with their customer's flags, district and preferred number (maybe None)."""
    return (
        select(
            accounts.c.customer_id,
            accounts.c.id.label("account_id"),
            accounts.c.account_no,
            _preferred_phone().label("phone"),
            (customers.c.vulnerable_flags != "").label("vulnerable"),
            service_points.c.district.label("area"),
            _disputed().label("disputed"),
            *extra,
        )
        .join(customers, customers.c.id == accounts.c.customer_id)
        .join(service_points, service_points.c.id == accounts.c.service_point_id)
    )


def reachable(query: Select[Any]) -> Select[Any]:
    """Only rows with a number, in account order."""
    inner = query.subquery()
    return select(inner).where(inner.c.phone.is_not(None)).order_by(inner.c.account_id)


def one_per_customer(query: Select[Any]) -> Select[Any]:
    """Of each customer's reachable accounts, only the first (lowest id)."""
    inner = query.subquery()
    rank = func.row_number().over(partition_by=inner.c.customer_id, order_by=inner.c.account_id)
    ranked = select(inner, rank.label("rank")).where(inner.c.phone.is_not(None)).subquery()
    columns = [c for c in ranked.c if c.name != "rank"]
    return select(*columns).where(ranked.c.rank == 1).order_by(ranked.c.account_id)


_FORMATTED = ("amount_due", "balance", "due_date")  # values Python formats


def _text(value: str) -> ColumnElement[Any]:
    return cast(literal(value), Text)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _iso(at: datetime | None) -> str:
    return "" if at is None else at.isoformat()


@dataclass
class Plan:
    """One query's rows and how to turn a batch of them into candidates."""

    query: Select[Any]
    common: dict[str, str] = field(default_factory=dict)
    arrears_rules: LateFeeRules | None = None
    today: date | None = None
    row_values: tuple[str, ...] = ()  # columns of each row kept as its values (text)

    def sql_values(self, row: FromClause, postgres: bool) -> ColumnElement[Any] | None:
        """The message values of `row` (this plan's query as a subquery) as one SQL JSON
        object, for a build by `INSERT … SELECT`; None when Python must make them (late
        fees, amounts and dates formatted): only the outage and ticket plans qualify."""
        if self.arrears_rules is not None or any(k in row.c for k in _FORMATTED):
            return None
        pairs: list[ColumnElement[Any]] = [_text("account_no"), row.c.account_no]
        for key, value in self.common.items():
            pairs += [_text(key), _text(value)]
        for name in self.row_values:
            pairs += [_text(name), cast(row.c[name], Text)]
        return (func.jsonb_build_object if postgres else func.json_object)(*pairs)

    async def candidates(
        self, conn: AsyncConnection, rows: Sequence[Mapping[Any, Any]]
    ) -> list[Candidate]:
        """The batch's candidates with their message values."""
        fees = await self._late_fees(conn, rows) if self.arrears_rules else {}
        return [self._candidate(row, fees.get(row["account_id"], {})) for row in rows]

    def _candidate(self, row: Mapping[Any, Any], fee: dict[str, str]) -> Candidate:
        values = {"account_no": row["account_no"], **self.common, **fee}
        values |= {name: str(row[name]) for name in self.row_values}
        for key in ("amount_due", "balance"):
            if key in row:
                values[key] = _money(row[key])
        if "due_date" in row:
            values["due_date"] = row["due_date"].isoformat()
        return Candidate(
            customer_id=int(row["customer_id"]),
            account_id=int(row["account_id"]),
            account_no=row["account_no"],
            phone=row["phone"],
            values=values,
            vulnerable=bool(row["vulnerable"]),
            area=row["area"],
            disputed=bool(row["disputed"]),
        )

    async def _late_fees(
        self, conn: AsyncConnection, rows: Sequence[Mapping[Any, Any]]
    ) -> dict[int, dict[str, str]]:
        assert self.arrears_rules is not None and self.today is not None
        residential = {row["account_id"]: bool(row["residential"]) for row in rows}
        query = (
            select(bills.c.account_id, bills.c.period, bills.c.due_date, bills.c.amount)
            .add_columns(bills.c.paid_amount)
            .where(bills.c.account_id.in_(list(residential)), bills.c.paid_amount < bills.c.amount)
            .order_by(bills.c.account_id, bills.c.due_date)
        )
        owed: dict[int, list[OverdueBill]] = {}
        for b in await conn.execute(query):
            bill = OverdueBill(b.period, b.due_date, b.amount - b.paid_amount)
            owed.setdefault(b.account_id, []).append(bill)
        fees = {}
        for account_id, lines in owed.items():
            fee = late_fee(
                lines,
                residential=residential[account_id],
                today=self.today,
                rules=self.arrears_rules,
            )
            fees[account_id] = {
                "arrears": _money(fee.arrears),
                "late_fee": _money(fee.fee),
                "total_due": _money(fee.total_due),
                "overdue_since": lines[0].due_date.isoformat(),
                "as_of": self.today.isoformat(),
            }
        return fees


def _number(query: TargetQuery, *, decimal: bool = False, maximum: int = 36500) -> Decimal:
    """The query's argument: a whole number (or any number) from 0 to `maximum`."""
    try:
        value = Decimal(query.value.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= maximum or (not decimal and value % 1):
        kind = "a number" if decimal else "a whole number"
        raise InvalidInputError(
            f"target {query.kind}:{query.value} needs {kind} from 0 to {maximum}",
            code="invalid-target-query",
        )
    return value


async def _outage_plan(conn: AsyncConnection, query: TargetQuery) -> Plan:
    outage_id = int(_number(query, maximum=2**62))
    row = (await conn.execute(select(outages).where(outages.c.id == outage_id))).one_or_none()
    if row is None:
        raise NoSuchOutageError(f"no outage with id {outage_id}")
    on_feeders = select(service_points.c.id).join(
        outage_feeders, outage_feeders.c.feeder == service_points.c.feeder
    )
    points = union(
        on_feeders.where(outage_feeders.c.outage_id == outage_id),
        select(outage_service_points.c.service_point_id).where(
            outage_service_points.c.outage_id == outage_id
        ),
    )
    found = contacts().where(accounts.c.service_point_id.in_(points))
    common = {
        "outage_id": str(outage_id),
        "outage_kind": row.kind,
        "outage_status": row.status,
        "outage_area": row.area,
        "outage_cause": row.cause,
        "outage_start": _iso(row.start_at),
        "outage_etr": _iso(row.estimated_restoration_at),
        "restored_at": _iso(row.restored_at),
    }
    return Plan(one_per_customer(found), common)


def _bills_due_plan(query: TargetQuery, today: date) -> Plan:
    days = int(_number(query))
    due = (
        select(
            bills.c.account_id,
            func.sum(bills.c.amount - bills.c.paid_amount).label("amount_due"),
            func.min(bills.c.due_date).label("due_date"),
        )
        .where(
            bills.c.paid_amount < bills.c.amount,
            bills.c.due_date >= today,
            bills.c.due_date <= today + timedelta(days=days),
        )
        .group_by(bills.c.account_id)
        .subquery()
    )
    found = contacts(due.c.amount_due, due.c.due_date).join(due, due.c.account_id == accounts.c.id)
    return Plan(reachable(found), {"days": str(days)})


def _arrears_plan(query: TargetQuery, today: date, rules: LateFeeRules) -> Plan:
    days = int(_number(query))
    cutoff = today - timedelta(days=days)
    old = (
        select(bills.c.account_id)
        .where(bills.c.paid_amount < bills.c.amount, bills.c.due_date < cutoff)
        .distinct()
    )
    residential = (customers.c.customer_class == "residential").label("residential")
    found = contacts(residential).where(accounts.c.id.in_(old))
    return Plan(reachable(found), {"days": str(days)}, rules, today)


def _balance_plan(query: TargetQuery) -> Plan:
    below = _number(query, decimal=True, maximum=10**9)
    found = contacts(accounts.c.prepaid_balance.label("balance")).where(
        accounts.c.payment_mode == "prepaid",
        accounts.c.prepaid_balance < below,
    )
    return Plan(reachable(found), {"threshold": _money(below)})


async def _ticket_plan(conn: AsyncConnection, query: TargetQuery) -> Plan:
    ticket_id = int(_number(query, maximum=2**62))
    row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).one_or_none()
    if row is None:
        raise NoSuchTicketError(f"no ticket with id {ticket_id}")
    if row.customer_id is None:
        raise InvalidInputError(
            f"ticket {row.number} names no customer to call back", code="ticket-without-customer"
        )
    where = accounts.c.customer_id == row.customer_id
    if row.account_id is not None:
        where = and_(where, accounts.c.id == row.account_id)
    common = {"ticket_id": str(ticket_id), "ticket_number": row.number, "ticket_type": row.type}
    return Plan(one_per_customer(contacts().where(where)), common)


async def plan_for(
    conn: AsyncConnection, query: TargetQuery, today: date, rules: LateFeeRules
) -> Plan:
    """The plan of a query other than CSV (that one is `campaign_csv`)."""
    match query.kind:
        case TargetQueryKind.OUTAGE:
            return await _outage_plan(conn, query)
        case TargetQueryKind.BILLS_DUE:
            return _bills_due_plan(query, today)
        case TargetQueryKind.ARREARS_OVER:
            return _arrears_plan(query, today, rules)
        case TargetQueryKind.BALANCE_BELOW:
            return _balance_plan(query)
        case TargetQueryKind.TICKET:
            return await _ticket_plan(conn, query)
        case TargetQueryKind.CALLBACKS_DUE:  # 回访 (issue 15, callbacks)
            from callcenter.storage.ticket_callbacks import awaiting_callback_plan

            return awaiting_callback_plan(query)
        case TargetQueryKind.OUTAGE_CALLERS:  # (that module imports this)
            from callcenter.storage.outage_callers import outage_callers_plan

            return await outage_callers_plan(conn, query)
    raise InvalidInputError(f"no query plan for {query.kind}", code="invalid-target-query")
