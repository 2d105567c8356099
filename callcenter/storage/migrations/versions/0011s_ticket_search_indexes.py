"""tickets: indexes for the ticket list at a million tickets: the open tickets' due dates
(the board's default order) and, on PostgreSQL, trigram indexes (pg_trgm) for the text search
in summaries and comments

Revision ID: 0011s
Revises: 0010
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011s"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN = sa.text("status NOT IN ('closed', 'cancelled')")
NO_ROWS = sa.text("0")  # SQLite has no trigram index: an index of no rows keeps the schema equal
TRIGRAMS = (("tickets", "ix_tickets_summary_trgm", "summary"),
            ("ticket_events", "ix_ticket_events_text_trgm", "text"))  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_tickets_open_due_at", "tickets", ["due_at"], postgresql_where=OPEN, sqlite_where=OPEN
    )
    for table, name, column in TRIGRAMS:
        op.create_index(
            name,
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
            sqlite_where=NO_ROWS,
        )


def downgrade() -> None:
    """Drops the indexes; the pg_trgm extension stays (other databases' objects may use it)."""
    for table, name, _ in TRIGRAMS:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_tickets_open_due_at", table_name="tickets")
