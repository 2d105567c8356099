"""tickets: the SLA columns (the service area's class and the customer's class the deadlines
depend on, the SLA level reached, when the next level is due, the escalation level) and the
number of urges (催办)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("area_class", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("customer_class", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("sla_state", sa.String(length=12), nullable=False, server_default="ok")
        )
        batch.add_column(sa.Column("sla_step", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("sla_next_at", Stamp, nullable=True))
        batch.add_column(
            sa.Column("escalation_level", sa.SmallInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("urge_count", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_tickets_sla_next_at", ["sla_next_at"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_sla_next_at")
        for column in (
            "urge_count", "escalation_level", "sla_next_at", "sla_step", "sla_state", "customer_class",
            "area_class",
        ):  # fmt: skip
            batch.drop_column(column)
