"""security (issue 18): token expiry, sign-in lockout, the audit log's source address

Revision ID: 0013
Revises: 0012r
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012r"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.String(64), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("address", sa.String(64), nullable=True))
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_user", table_name="api_tokens")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("address")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_at")
        batch.drop_column("failed_sign_ins")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("revoked_reason")
        batch.drop_column("expires_at")
