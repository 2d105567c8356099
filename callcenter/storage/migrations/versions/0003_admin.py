"""administration: audit log, stored queue settings, agents enabled, outages by service
point, simulated calls

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id", "at"])
    op.create_table(
        "queue_settings",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("settings", Json, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_queue_settings")),
    )
    op.create_table(
        "outage_service_points",
        sa.Column("outage_id", sa.BigInteger(), nullable=False),
        sa.Column("service_point_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outage_id"],
            ["outages.id"],
            name=op.f("fk_outage_service_points_outage_id_outages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "outage_id", "service_point_id", name=op.f("pk_outage_service_points")
        ),
    )
    op.create_index(
        op.f("ix_outage_service_points_service_point_id"),
        "outage_service_points",
        ["service_point_id"],
    )
    with op.batch_alter_table("agents") as batch:
        batch.add_column(
            sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("outages") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("calls") as batch:
        batch.add_column(
            sa.Column("simulated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("simulated")
    with op.batch_alter_table("outages") as batch:
        batch.drop_column("updated_at")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("enabled")
    op.drop_index(
        op.f("ix_outage_service_points_service_point_id"), table_name="outage_service_points"
    )
    op.drop_table("outage_service_points")
    op.drop_table("queue_settings")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
