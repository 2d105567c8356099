"""The ticket list's indexes (issue 15, migration 0011s), on the schema's one `metadata`.

- `ix_tickets_open_due_at`: the due dates of tickets not yet closed or cancelled, which the
  board's default order (overdue first, then by due date) reads in order instead of sorting
  every open ticket.
- PostgreSQL only (`pg_trgm`): trigram GIN indexes on `tickets.summary` and
  `ticket_events.text`, which serve the list's `text` filter (a case-insensitive substring,
  Chinese included, `ILIKE '%…%'`) for words of three characters or more. SQLite has no
  such index: its migration makes them partial indexes of no rows, which cost nothing.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, text

from callcenter.storage.tables import ticket_events, tickets

FINISHED_SQL = "status NOT IN ('closed', 'cancelled')"
NO_ROWS = text("0")  # SQLite: the trigram indexes exist in name only

open_due_at = Index(
    "ix_tickets_open_due_at",
    tickets.c.due_at,
    postgresql_where=text(FINISHED_SQL),
    sqlite_where=text(FINISHED_SQL),
)


def _trigrams(name: str, column: Column[str]) -> Index:
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column.name: "gin_trgm_ops"},
        sqlite_where=NO_ROWS,
    )


summary_trigrams = _trigrams("ix_tickets_summary_trgm", tickets.c.summary)
event_text_trigrams = _trigrams("ix_ticket_events_text_trgm", ticket_events.c.text)
