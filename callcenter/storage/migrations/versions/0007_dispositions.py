"""campaign dispositions recorded on the desk, and promises to pay

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
Money = sa.Numeric(12, 2)


def upgrade() -> None:
    op.create_table(
        "campaign_dispositions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("attempt_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("amount", Money, nullable=True),
        sa.Column("call_back_at", Stamp, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("call_id", sa.String(length=26), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("by_role", sa.String(length=16), nullable=False),
        sa.Column("by_user", sa.Integer(), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["campaign_attempts.id"],
            name=op.f("fk_campaign_dispositions_attempt_id_campaign_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_dispositions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_dispositions")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_campaign_dispositions_attempt_id")),
    )
    op.create_table(
        "promises",
        sa.Column("id", BigId, nullable=False),
        sa.Column("disposition_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt_key", sa.String(length=48), nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("arrears_at", Money, nullable=False),
        sa.Column("promised_for", sa.Date(), nullable=False),
        sa.Column("due_at", Stamp, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("settled_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["disposition_id"],
            ["campaign_dispositions.id"],
            name=op.f("fk_promises_disposition_id_campaign_dispositions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_promises_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_promises_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
        sa.UniqueConstraint("disposition_id", name=op.f("uq_promises_disposition_id")),
    )
    op.create_index("ix_promises_status_due", "promises", ["status", "due_at"])
    op.create_index("ix_promises_account_status", "promises", ["account_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_promises_account_status", table_name="promises")
    op.drop_index("ix_promises_status_due", table_name="promises")
    op.drop_table("promises")
    op.drop_table("campaign_dispositions")
