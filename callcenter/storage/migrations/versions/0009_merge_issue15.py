"""merge the three issue-15 schema changes: the working-day calendars (0008c), the ticket
lifecycle (0008t) and the outgoing webhooks (0008w)

Revision ID: 0009
Revises: 0008c, 0008t, 0008w
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

revision = "0009"
down_revision = ("0008c", "0008t", "0008w")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three revisions touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
