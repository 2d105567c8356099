"""The ticket list: filters, order and page over `tickets` (text in summaries and comments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Row,
    and_,
    any_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from callcenter.storage.tables import ticket_events, tickets
from callcenter.tickets.models import (
    CLOCK_STOPPED,
    Milestone,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketQuery,
    TicketSort,
    TicketStatus,
    TicketType,
)

STOPPED = tuple(s.value for s in CLOCK_STOPPED)


def ticket_from(
    row: Row[Any], events: tuple[TicketEvent, ...] = (), call_ids: tuple[str, ...] = ()
) -> Ticket:
    """A ticket from its row (events and calls given apart)."""
    return Ticket(
        id=row.id,
        number=row.number,
        type=TicketType(row.type),
        subtype=row.subtype,
        status=TicketStatus(row.status),
        priority=row.priority,
        customer_id=row.customer_id,
        account_id=row.account_id,
        service_point_id=row.service_point_id,
        summary=row.summary,
        created_by=row.created_by,
        created_at=row.created_at,
        due_at=row.due_at,
        closed_at=row.closed_at,
        events=events,
        call_ids=call_ids,
        channel=TicketChannel(row.channel),
        area=row.area,
        assignee_user_id=row.assignee_user_id,
        assignee_team=row.assignee_team,
        resolution=row.resolution,
        milestone=None if row.milestone is None else Milestone(row.milestone),
        updated_at=row.updated_at,
        area_class=row.area_class,
        customer_class=row.customer_class,
        sla_state=row.sla_state,
        sla_step=row.sla_step,
        sla_next_at=row.sla_next_at,
        escalation_level=row.escalation_level,
        urge_count=row.urge_count,
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _overdue(query: TicketQuery) -> ColumnElement[bool]:
    return and_(
        tickets.c.due_at.is_not(None),
        tickets.c.due_at < query.now,
        tickets.c.status.not_in(STOPPED),
    )


def _text_matches(text: str) -> CompoundSelect[Any]:
    """Ids of the tickets whose summary or a comment holds `text`: two index look-ups on
    PostgreSQL (trigram indexes), rather than a look into every ticket's comments."""
    pattern = _like(text)
    matched = tickets.alias("matched")
    return union(
        select(matched.c.id).where(matched.c.summary.ilike(pattern, escape="\\")),
        select(ticket_events.c.ticket_id).where(ticket_events.c.text.ilike(pattern, escape="\\")),
    )


def _text(text: str, postgres: bool) -> ColumnElement[bool]:
    if not postgres:
        return tickets.c.id.in_(_text_matches(text))
    # `id = ANY(one array of the matches)`: the matches are found once, then looked up by
    # primary key, where `id IN (...)` may plan a scan of every ticket to join them
    found = _text_matches(text).subquery()
    ids = select(func.array_agg(found.c.id)).scalar_subquery()
    return tickets.c.id == any_(cast(ids, ARRAY(BigInteger)))


def _conditions(query: TicketQuery, postgres: bool = False) -> list[ColumnElement[bool]]:
    equal = {
        tickets.c.type: query.type.value if query.type else None,
        tickets.c.customer_id: query.customer_id,
        tickets.c.account_id: query.account_id,
        tickets.c.area: query.area,
        tickets.c.assignee_user_id: query.assignee_user_id,
        tickets.c.assignee_team: query.assignee_team,
    }
    where = [column == value for column, value in equal.items() if value is not None]
    if query.statuses:
        where.append(tickets.c.status.in_([s.value for s in query.statuses]))
    if query.overdue is not None:
        where.append(_overdue(query) if query.overdue else ~_overdue(query))
    if query.text:
        where.append(_text(query.text, postgres))
    if query.created_from is not None:
        where.append(tickets.c.created_at >= query.created_from)
    if query.created_to is not None:
        where.append(tickets.c.created_at < query.created_to)
    return where


def _ordered(select_: Select[Any], query: TicketQuery) -> Select[Any]:
    if query.sort is TicketSort.CREATED:
        return select_.order_by(tickets.c.created_at, tickets.c.id)
    if query.sort is TicketSort.CREATED_DESC:
        return select_.order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
    by_due = (tickets.c.due_at.asc().nulls_last(), tickets.c.id.desc())
    if query.sort is TicketSort.DUE:
        return select_.order_by(*by_due)
    late_first = case((_overdue(query), 0), else_=1)
    return select_.order_by(late_first, *by_due)


def _late_first_page(where: list[ColumnElement[bool]], query: TicketQuery) -> Select[Any]:
    """The default order (overdue first, then by due date) without sorting every match: the
    overdue, the not yet due and the rest each give their first page in due-date order (an
    index scan on PostgreSQL: `ix_tickets_open_due_at`), and only those rows are sorted."""
    due, now = tickets.c.due_at, query.now
    stopped = tickets.c.status.in_(STOPPED)
    parts = (
        (0, and_(due < now, ~stopped)),  # overdue: exactly `_overdue`
        (1, due >= now),
        (1, or_(due.is_(None), and_(due < now, stopped))),
    )
    first = query.offset + query.limit
    pages = [
        select(tickets, literal(late).label("late"))
        .where(*where, part)
        .order_by(due.asc().nulls_last(), tickets.c.id.desc())
        .limit(first)
        .subquery()
        for late, part in parts
    ]
    board = union_all(*(select(page) for page in pages)).subquery("board")
    return (
        select(*(board.c[c.name] for c in tickets.columns))
        .order_by(board.c.late, board.c.due_at.asc().nulls_last(), board.c.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )


def _counted_page(where: list[ColumnElement[bool]], query: TicketQuery) -> Select[Any]:
    """A text search's page with the number of matches on each row: the matches are found
    once for both (a word in a few percent of the tickets costs most of the time there)."""
    counted = select(tickets, func.count().over().label("matches")).where(*where)
    return _ordered(counted, query).limit(query.limit).offset(query.offset)


def _page(where: list[ColumnElement[bool]], query: TicketQuery) -> Select[Any]:
    if query.sort is TicketSort.DEFAULT:
        return _late_first_page(where, query)
    return _ordered(select(tickets).where(*where), query).limit(query.limit).offset(query.offset)


async def _count(conn: AsyncConnection, where: list[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(tickets).where(*where)
    return int((await conn.execute(query)).scalar_one())


async def search_tickets(conn: AsyncConnection, query: TicketQuery) -> tuple[list[Ticket], int]:
    """One page of tickets matching `query` (without events) and the total that match."""
    where = _conditions(query, conn.dialect.name == "postgresql")
    if query.text:
        rows = (await conn.execute(_counted_page(where, query))).all()
        if rows:
            return [ticket_from(row) for row in rows], int(rows[0].matches)
        return [], await _count(conn, where) if query.offset else 0
    total = await _count(conn, where)
    rows = (await conn.execute(_page(where, query))).all()
    return [ticket_from(row) for row in rows], total
