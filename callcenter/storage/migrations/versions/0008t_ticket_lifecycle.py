"""tickets: wider status, channel, area, assignee (person or team), resolution, fault
milestone, updated_at; ticket events with the actor's role and user and a comment's text

Revision ID: 0008t
Revises: 0007
Create Date: 2026-12-06 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008t"
down_revision = "0007"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)
_INDEXES = (
    ("ix_tickets_area", ["area"]),
    ("ix_tickets_assignee_user_id", ["assignee_user_id"]),
    ("ix_tickets_assignee_team", ["assignee_team"]),
    ("ix_tickets_type_service_point", ["type", "service_point_id"]),
    ("ix_tickets_created_at", ["created_at"]),
    ("ix_tickets_due_at", ["due_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("status", existing_type=sa.String(length=16), type_=sa.String(length=24))
        batch.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="api")
        )
        batch.add_column(sa.Column("area", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("assignee_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assignee_team", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch.add_column(sa.Column("milestone", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("updated_at", Stamp, nullable=True))
        for name, columns in _INDEXES:
            batch.create_index(name, columns)
    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("actor_role", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("actor_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("text")
        batch.drop_column("actor_user_id")
        batch.drop_column("actor_role")
    with op.batch_alter_table("tickets") as batch:
        for name, _ in reversed(_INDEXES):
            batch.drop_index(name)
        for column in (
            "updated_at", "milestone", "resolution", "assignee_team", "assignee_user_id",
            "area", "channel",
        ):  # fmt: skip
            batch.drop_column(column)
        batch.alter_column("status", existing_type=sa.String(length=24), type_=sa.String(length=16))
