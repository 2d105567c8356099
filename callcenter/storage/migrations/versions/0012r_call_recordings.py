"""calls: the call's recording (status, provider, handle, location, length) and the index
the retention sweep reads (issue 16)

Revision ID: 0012r
Revises: 0011s
Create Date: 2026-12-06 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012r"
down_revision = "0011s"
branch_labels = None
depends_on = None

COLUMNS = (
    ("recording_status", sa.String(16)),
    ("recording_provider", sa.String(16)),
    ("recording_ref", sa.String(64)),
    ("recording_location", sa.Text()),
    ("recording_duration_seconds", sa.Integer()),
)
INDEX = "ix_calls_recording_sweep"


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_index(INDEX, "calls", ["recording_status", "queue", "started_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="calls")
    with op.batch_alter_table("calls") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
