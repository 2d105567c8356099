"""The outgoing webhooks' tables (migration 0008w), on the schema's one `metadata`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from callcenter.storage.tables import BigId, Json, UtcDateTime, metadata

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("events", Json, nullable=False),  # a list of event types
    Column("secret", String(128), nullable=False),  # kept: signing needs it in clear
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The outbox: one row per event and subscriber, with the state of its delivery.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(26), primary_key=True),  # X-Callcenter-Delivery
    Column(
        "subscription_id",
        BigInteger,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(26), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("body", Text, nullable=False),  # the exact bytes signed and sent
    Column("status", String(16), nullable=False),  # pending, delivered, failed
    Column("attempts", SmallInteger, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),  # due, or leased until
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "delivery_id",
        String(26),
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", SmallInteger, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Integer, nullable=False),
)
