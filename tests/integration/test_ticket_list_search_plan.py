"""The ticket list's fast paths (issue 15 benchmark) find exactly what the rules say: on the
benchmark's synthetic tickets, every page and total equals the list computed in Python from all
tickets (overdue first, then by due date, no due date last, newest first on a tie; text in a
summary or a comment, case-insensitive)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.ticket_data import load_tickets
from callcenter.storage.tables import ticket_events, tickets
from callcenter.storage.tickets_search import search_tickets, ticket_from
from callcenter.tickets.models import FINISHED, Ticket, TicketQuery, TicketStatus

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
OPEN = tuple(s for s in TicketStatus if s not in FINISHED)
STOPPED_ONLY = (TicketStatus.RESOLVED, TicketStatus.AWAITING_CALLBACK, TicketStatus.CLOSED)


async def _everything(engine: AsyncEngine) -> tuple[list[Ticket], dict[int, str]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(tickets))).all()
        notes = (await conn.execute(select(ticket_events.c.ticket_id, ticket_events.c.text))).all()
    comments: dict[int, str] = {}
    for ticket_id, note in notes:
        comments[ticket_id] = comments.get(ticket_id, "") + "\n" + (note or "")
    return [ticket_from(row) for row in rows], comments


def _expected(
    query: TicketQuery, every: list[Ticket], comments: dict[int, str]
) -> tuple[list[int], int]:
    def wanted(ticket: Ticket) -> bool:
        if query.statuses and ticket.status not in query.statuses:
            return False
        needle = (query.text or "").casefold()
        return needle in (ticket.summary + comments.get(ticket.id, "")).casefold()

    def key(ticket: Ticket) -> tuple[int, int, datetime, int]:
        due = ticket.due_at or NOW
        return (0 if ticket.is_overdue(query.now) else 1, ticket.due_at is None, due, -ticket.id)

    found = sorted(filter(wanted, every), key=key)
    page = found[query.offset : query.offset + query.limit]
    return [t.id for t in page], len(found)


QUERIES = [
    pytest.param(TicketQuery(NOW, statuses=OPEN), id="board"),
    pytest.param(TicketQuery(NOW, statuses=OPEN, offset=50, limit=20), id="board-page-3"),
    pytest.param(TicketQuery(NOW, statuses=OPEN, offset=140, limit=50), id="board-last-page"),
    pytest.param(TicketQuery(NOW, statuses=STOPPED_ONLY, limit=30), id="clock-stopped"),
    pytest.param(TicketQuery(NOW, limit=100), id="no-filter"),
    pytest.param(TicketQuery(NOW, text="变压器"), id="text-chinese"),
    pytest.param(TicketQuery(NOW, text="METER"), id="text-any-case"),
    pytest.param(TicketQuery(NOW, text="抢修人员"), id="text-comment"),
    pytest.param(TicketQuery(NOW, statuses=OPEN, text="号"), id="text-one-character-open"),
    pytest.param(TicketQuery(NOW, statuses=OPEN, text="meter", offset=10), id="text-page-2"),
    pytest.param(TicketQuery(NOW, text="变压器", offset=5000), id="text-past-the-end"),
    pytest.param(TicketQuery(NOW, text="no such words"), id="text-nothing"),
    pytest.param(TicketQuery(NOW, text="100%"), id="text-wildcard-is-a-character"),
]


@pytest.mark.parametrize("query", QUERIES)
async def test_pages_and_totals_follow_the_rules(engine: AsyncEngine, query: TicketQuery) -> None:
    await load_tickets(engine, 400, open_share=0.4, now=NOW, seed=15)
    every, comments = await _everything(engine)
    async with engine.connect() as conn:
        page, total = await search_tickets(conn, query)
    assert ([t.id for t in page], total) == _expected(query, every, comments)


async def test_the_synthetic_tickets_cover_the_orders_cases(engine: AsyncEngine) -> None:
    await load_tickets(engine, 400, open_share=0.4, now=NOW, seed=15)
    every, _ = await _everything(engine)
    still_open = [t for t in every if t.status not in FINISHED]
    assert any(t.is_overdue(NOW) for t in still_open)
    assert any(t.due_at is None for t in still_open)
    assert any(t.due_at and t.due_at < NOW and not t.is_overdue(NOW) for t in still_open)
    assert len(still_open) > 140
