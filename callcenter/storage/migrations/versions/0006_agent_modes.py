"""agent-assisted outbound: campaign mode and agent queue, the agent reserved for an
attempt, and queued callbacks' tries

Revision ID: 0006
Revises: 0005t
Create Date: 2026-12-06 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005t"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(length=16), nullable=False, server_default="automated")
        )
        batch.add_column(sa.Column("queue", sa.String(length=32), nullable=True))
    with op.batch_alter_table("campaign_attempts") as batch:
        batch.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("tries", sa.SmallInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_at", Stamp, nullable=True))
        batch.add_column(sa.Column("provider", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.drop_column("provider")
        batch.drop_column("next_at")
        batch.drop_column("tries")
    with op.batch_alter_table("campaign_attempts") as batch:
        batch.drop_column("agent_id")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("queue")
        batch.drop_column("mode")
