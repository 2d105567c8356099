"""outbound: campaigns, targets, attempts (the idempotency key), opt-outs, area suspensions,
arrears sequences with their history, disputed bills

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-20 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")
Money = sa.Numeric(12, 2)
Stamp = sa.DateTime(timezone=True)


def _campaigns() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("query_kind", sa.String(length=16), nullable=False),
        sa.Column("query_value", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("start_at", Stamp, nullable=True),
        sa.Column("end_at", Stamp, nullable=True),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("max_attempts", sa.SmallInteger(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_campaigns_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_state"), "campaigns", ["state"])


def _targets() -> None:
    op.create_table(
        "campaign_targets",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("values", Json, nullable=False),
        sa.Column("vulnerable", sa.Boolean(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("disputed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_targets_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_targets")),
        sa.UniqueConstraint(
            "campaign_id", "account_id", name=op.f("uq_campaign_targets_campaign_id")
        ),
    )
    op.create_index(op.f("ix_campaign_targets_customer_id"), "campaign_targets", ["customer_id"])


def _attempts() -> None:
    op.create_table(
        "campaign_attempts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt_no", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=26), nullable=True),
        sa.Column("not_before", Stamp, nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", Stamp, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_attempts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["campaign_targets.id"],
            name=op.f("fk_campaign_attempts_target_id_campaign_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_attempts")),
        sa.UniqueConstraint(
            "campaign_id",
            "target_id",
            "attempt_no",
            name=op.f("uq_campaign_attempts_campaign_id"),
        ),
        sa.UniqueConstraint("call_id", name=op.f("uq_campaign_attempts_call_id")),
    )
    op.create_index(
        "ix_campaign_attempts_due",
        "campaign_attempts",
        ["campaign_id", "state", "not_before", "id"],
    )
    op.create_index(op.f("ix_campaign_attempts_target_id"), "campaign_attempts", ["target_id"])
    op.create_index(op.f("ix_campaign_attempts_provider_id"), "campaign_attempts", ["provider_id"])


def _rules() -> None:
    op.create_table(
        "opt_outs",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_opt_outs")),
    )
    op.create_table(
        "area_suspensions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=False),
        sa.Column("from_at", Stamp, nullable=False),
        sa.Column("until", Stamp, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_suspensions")),
    )
    op.create_index(op.f("ix_area_suspensions_area"), "area_suspensions", ["area"])


def _arrears() -> None:
    op.create_table(
        "arrears_sequences",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("arrears", Money, nullable=False),
        sa.Column("overdue_since", Stamp, nullable=False),
        sa.Column("cut_at", Stamp, nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_arrears_sequences_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_arrears_sequences")),
    )
    op.create_index(op.f("ix_arrears_sequences_step"), "arrears_sequences", ["step"])
    op.create_table(
        "arrears_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("from_step", sa.String(length=24), nullable=True),
        sa.Column("to_step", sa.String(length=24), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_arrears_events_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrears_events")),
    )
    op.create_index("ix_arrears_events_account_at", "arrears_events", ["account_id", "at"])


def upgrade() -> None:
    _campaigns()
    _targets()
    _attempts()
    _rules()
    _arrears()
    with op.batch_alter_table("bills") as batch:
        batch.add_column(
            sa.Column("disputed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("bills") as batch:
        batch.drop_column("disputed")
    op.drop_index("ix_arrears_events_account_at", table_name="arrears_events")
    op.drop_table("arrears_events")
    op.drop_index(op.f("ix_arrears_sequences_step"), table_name="arrears_sequences")
    op.drop_table("arrears_sequences")
    op.drop_index(op.f("ix_area_suspensions_area"), table_name="area_suspensions")
    op.drop_table("area_suspensions")
    op.drop_table("opt_outs")
    op.drop_index(op.f("ix_campaign_attempts_provider_id"), table_name="campaign_attempts")
    op.drop_index(op.f("ix_campaign_attempts_target_id"), table_name="campaign_attempts")
    op.drop_index("ix_campaign_attempts_due", table_name="campaign_attempts")
    op.drop_table("campaign_attempts")
    op.drop_index(op.f("ix_campaign_targets_customer_id"), table_name="campaign_targets")
    op.drop_table("campaign_targets")
    op.drop_index(op.f("ix_campaigns_state"), table_name="campaigns")
    op.drop_table("campaigns")
