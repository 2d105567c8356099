"""agents: queue memberships, presence events, pending callbacks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agent_queues",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.user_id"],
            name=op.f("fk_agent_queues_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "queue", name=op.f("pk_agent_queues")),
    )
    op.create_table(
        "agent_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.user_id"],
            name=op.f("fk_agent_events_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_events")),
    )
    op.create_index("ix_agent_events_agent_at", "agent_events", ["agent_id", "at"])
    op.create_table(
        "callbacks",
        sa.Column("id", BigId, nullable=False),
        sa.Column("call_id", sa.String(length=26), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_callbacks_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
        sa.UniqueConstraint("call_id", name=op.f("uq_callbacks_call_id")),
    )
    op.create_index(op.f("ix_callbacks_status"), "callbacks", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_callbacks_status"), table_name="callbacks")
    op.drop_table("callbacks")
    op.drop_index("ix_agent_events_agent_at", table_name="agent_events")
    op.drop_table("agent_events")
    op.drop_table("agent_queues")
