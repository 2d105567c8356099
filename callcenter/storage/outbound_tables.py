"""The outbound campaign tables (migration 0004), on the schema's one `metadata`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
)

from callcenter.storage.tables import BigId, Json, Money, UtcDateTime, metadata


def _campaign_id() -> Column[int]:
    return Column(
        "campaign_id", BigInteger, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )


campaigns = Table(
    "campaigns",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("type", String(32), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("gateway", String(16), nullable=False),
    Column("query_kind", String(16), nullable=False),
    Column("query_value", Text, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("start_at", UtcDateTime, nullable=True),
    Column("end_at", UtcDateTime, nullable=True),
    Column("window_start", Time, nullable=True),  # daily window, callee-local wall time
    Column("window_end", Time, nullable=True),
    Column("priority", SmallInteger, nullable=False, default=0),
    Column("max_attempts", SmallInteger, nullable=False, default=3),
    Column("sms", Boolean, nullable=False, default=False, server_default=false()),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("mode", String(16), nullable=False, default="automated", server_default="automated"),
    Column("queue", String(32), nullable=True),  # the agent queue (None: the type's own)
)

campaign_targets = Table(
    "campaign_targets",
    metadata,
    Column("id", BigId, primary_key=True),
    _campaign_id(),
    Column("customer_id", BigInteger, nullable=False, index=True),
    Column("account_id", BigInteger, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("values", Json, nullable=False),
    Column("vulnerable", Boolean, nullable=False, default=False),
    Column("area", String(64), nullable=False, default=""),
    Column("disputed", Boolean, nullable=False, default=False),
    UniqueConstraint("campaign_id", "account_id"),
)

campaign_attempts = Table(
    "campaign_attempts",
    metadata,
    Column("id", BigId, primary_key=True),
    _campaign_id(),
    Column(
        "target_id",
        BigInteger,
        ForeignKey("campaign_targets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("attempt_no", SmallInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("result", String(16), nullable=True),
    Column("reason", String(32), nullable=True),
    Column("provider_id", String(64), nullable=True, index=True),
    # the outbound call record: the link from calls to campaigns (calls stay a pure fold)
    Column("call_id", String(26), nullable=True, unique=True),
    Column("not_before", UtcDateTime, nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),  # when it went to the gateway (caps)
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("agent_id", Integer, nullable=True),  # the agent reserved for it (agent modes)
    UniqueConstraint("campaign_id", "target_id", "attempt_no"),  # the idempotency key
    Index("ix_campaign_attempts_due", "campaign_id", "state", "not_before", "id"),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("phone", String(20), primary_key=True),
    Column("customer_id", BigInteger, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),  # keypress, agent, api, import
)

area_suspensions = Table(
    "area_suspensions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("area", String(64), nullable=False, index=True),
    Column("reason", String(128), nullable=False),
    Column("from_at", UtcDateTime, nullable=False),
    Column("until", UtcDateTime, nullable=True),  # open-ended when null
    Column("created_by", String(64), nullable=False),
)

arrears_sequences = Table(
    "arrears_sequences",
    metadata,
    Column("account_id", BigInteger, ForeignKey("accounts.id"), primary_key=True),
    Column("step", String(24), nullable=False, index=True),
    Column("arrears", Money, nullable=False),
    Column("overdue_since", UtcDateTime, nullable=False),
    Column("cut_at", UtcDateTime, nullable=True),
    Column("approved_by", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

arrears_events = Table(
    "arrears_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("from_step", String(24), nullable=True),
    Column("to_step", String(24), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_id", Integer, nullable=True),
    Column("data", Json, nullable=False),
    Index("ix_arrears_events_account_at", "account_id", "at"),
)


# --- the texts (SMS) of notice campaigns (migration 0005t) ---

campaign_texts = Table(
    "campaign_texts",
    metadata,
    Column("id", BigId, primary_key=True),
    _campaign_id(),
    Column(
        "target_id",
        BigInteger,
        ForeignKey("campaign_targets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("phone", String(20), nullable=False),
    Column("language", String(8), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # sending, sent, refused, failed
    Column("reason", String(32), nullable=True),
    Column("provider_id", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("campaign_id", "target_id"),  # one text per target, ever
)


# --- desk: campaign dispositions and promises to pay (migration 0007) ---

campaign_dispositions = Table(
    "campaign_dispositions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "attempt_id",
        BigInteger,
        ForeignKey("campaign_attempts.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,  # one disposition per attempt
    ),
    _campaign_id(),
    Column("target_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("promise_date", Date, nullable=True),
    Column("amount", Money, nullable=True),
    Column("call_back_at", UtcDateTime, nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("call_id", String(26), nullable=True),
    Column("agent_id", Integer, nullable=True),  # the agent who had the call
    Column("by_role", String(16), nullable=False),
    Column("by_user", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

promises = Table(
    "promises",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "disposition_id",
        BigInteger,
        ForeignKey("campaign_dispositions.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False),
    _campaign_id(),
    Column("target_id", BigInteger, nullable=False),
    Column("attempt_key", String(48), nullable=False),
    Column("amount", Money, nullable=False),
    Column("arrears_at", Money, nullable=False),  # what was due when the promise was made
    Column("promised_for", Date, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),  # the end of the promised local day
    Column("agent_id", Integer, nullable=True),
    Column("status", String(8), nullable=False),  # open, kept, broken
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    Index("ix_promises_status_due", "status", "due_at"),
    Index("ix_promises_account_status", "account_id", "status"),
)
