"""The SQL schema (SQLAlchemy Core tables); only code in `callcenter.storage` sees these."""

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
    UniqueConstraint,
    false,
    true,
)

# re-exported: the other table modules and the stores import them from here
from callcenter.storage.column_types import BigId as BigId
from callcenter.storage.column_types import Json as Json
from callcenter.storage.column_types import Money as Money
from callcenter.storage.column_types import UtcDateTime as UtcDateTime
from callcenter.storage.column_types import metadata as metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    # issue 18: failed sign-ins in a row, and when the account was locked for them
    Column("failed_sign_ins", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_at", UtcDateTime, nullable=True),
)

agents = Table(
    "agents",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("device_kind", String(16), nullable=False),
    Column("device_address", String(128), nullable=False),
    Column("languages", String(64), nullable=False, default="zh-CN"),
    Column("enabled", Boolean, nullable=False, default=True, server_default=true()),
)

agent_skills = Table(
    "agent_skills",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.user_id", ondelete="CASCADE"), primary_key=True),
    Column("skill", String(32), primary_key=True),
    Column("level", SmallInteger, nullable=False, default=1),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("label", String(128), nullable=False, default=""),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),  # issue 18: None never expires
    Column("revoked_reason", String(64), nullable=True),
    Index("ix_api_tokens_user", "user_id"),
)

service_points = Table(
    "service_points",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("address", Text, nullable=False),
    Column("district", String(64), nullable=False),
    Column("feeder", String(32), nullable=False, index=True),
    Column("area_class", String(8), nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("customer_class", String(32), nullable=False),
    Column("important_grade", String(16), nullable=True),
    Column("account_manager_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("vulnerable_flags", String(64), nullable=False, default=""),
    Column("created_at", UtcDateTime, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_no", String(16), nullable=False, unique=True),
    Column("customer_id", BigInteger, ForeignKey("customers.id"), nullable=False, index=True),
    Column("service_point_id", BigInteger, ForeignKey("service_points.id"), nullable=False),
    Column("tariff_class", String(32), nullable=False),
    Column("payment_mode", String(8), nullable=False),
    Column("prepaid_balance", Money, nullable=True),
    Column("credit_score", SmallInteger, nullable=False),
    Column("status", String(24), nullable=False),
    Column("opened_on", Date, nullable=False),
)

account_phones = Table(
    "account_phones",
    metadata,
    Column("phone", String(20), primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), primary_key=True, index=True),
    Column("kind", String(10), nullable=False),
)

bills = Table(
    "bills",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("kwh", Integer, nullable=False),
    Column("amount", Money, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("paid_amount", Money, nullable=False),
    Column("paid_on", Date, nullable=True),
    # the customer contests this bill: no arrears step and no arrears call on its account
    Column("disputed", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("account_id", "period"),
)
Index("ix_bills_unpaid", bills.c.account_id, postgresql_where=bills.c.paid_amount < bills.c.amount)

payments = Table(
    "payments",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("bill_id", BigInteger, ForeignKey("bills.id"), nullable=True),
    Column("amount", Money, nullable=False),
    Column("paid_at", UtcDateTime, nullable=False),
    Column("channel", String(32), nullable=False),
)

outages = Table(
    "outages",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("area", Text, nullable=False),
    Column("cause", Text, nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("estimated_restoration_at", UtcDateTime, nullable=True),
    Column("restored_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=True),
)

outage_feeders = Table(
    "outage_feeders",
    metadata,
    Column("outage_id", BigInteger, ForeignKey("outages.id", ondelete="CASCADE"), primary_key=True),
    Column("feeder", String(32), primary_key=True, index=True),
)

calls = Table(
    "calls",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("direction", String(8), nullable=False),
    Column("from_number", String(20), nullable=False, index=True),
    Column("to_number", String(20), nullable=False),
    Column("customer_id", BigInteger, nullable=True, index=True),
    Column("account_id", BigInteger, nullable=True),
    Column("state", String(16), nullable=False),
    Column("started_at", UtcDateTime, nullable=False, index=True),
    Column("queued_at", UtcDateTime, nullable=True),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("queue", String(32), nullable=True),
    Column("agent_id", Integer, nullable=True, index=True),
    Column("disposition", String(32), nullable=True, index=True),
    Column("ivr_path", Text, nullable=False, default=""),
    Column("wait_seconds", Integer, nullable=True),
    Column("talk_seconds", Integer, nullable=True),
    Column("end_reason", String(32), nullable=True),
    Column("survey_score", SmallInteger, nullable=True),
    Column("last_seq", Integer, nullable=False, default=0),
    Column("simulated", Boolean, nullable=False, default=False, server_default=false()),
)

call_provider_ids = Table(
    "call_provider_ids",
    metadata,
    Column("provider", String(16), primary_key=True),
    Column("provider_id", String(64), primary_key=True),
    Column("call_id", String(26), ForeignKey("calls.id"), nullable=False, index=True),
)

call_events = Table(
    "call_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("call_id", String(26), ForeignKey("calls.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", Json, nullable=False),
    UniqueConstraint("call_id", "seq"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("type", String(24), nullable=False),
    Column("subtype", String(32), nullable=True),
    Column("status", String(24), nullable=False, index=True),  # widened in 0008t
    Column("priority", SmallInteger, nullable=False, default=0),
    Column("customer_id", BigInteger, nullable=True, index=True),
    Column("account_id", BigInteger, nullable=True, index=True),
    Column("service_point_id", BigInteger, nullable=True),
    Column("summary", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    # --- tickets helper (issue 15, migration 0008t): lifecycle, assignment, milestones
    Column("channel", String(16), nullable=False, default="api", server_default="api"),
    Column("area", String(64), nullable=True, index=True),
    Column("assignee_user_id", Integer, nullable=True, index=True),
    Column("assignee_team", String(64), nullable=True, index=True),
    Column("resolution", Text, nullable=True),
    Column("milestone", String(16), nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
    Column("area_class", String(16), nullable=True),  # urban, rural, remote
    Column("customer_class", String(32), nullable=True),
    Column("sla_state", String(12), nullable=False, default="ok", server_default="ok"),
    Column("sla_step", String(16), nullable=True),  # the deadline `sla_state` is about
    Column("sla_next_at", UtcDateTime, nullable=True, index=True),  # the sweep's next look
    Column("escalation_level", SmallInteger, nullable=False, default=0, server_default="0"),
    Column("urge_count", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_tickets_type_service_point", "type", "service_point_id"),
    Index("ix_tickets_created_at", "created_at"),
    Index("ix_tickets_due_at", "due_at"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("ticket_id", BigInteger, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("data", Json, nullable=False),
    # --- tickets helper (issue 15, migration 0008t): the actor's role and user, comment text
    Column("actor_role", String(16), nullable=True),
    Column("actor_user_id", Integer, nullable=True),
    Column("text", Text, nullable=True),
)

ticket_calls = Table(
    "ticket_calls",
    metadata,
    Column("ticket_id", BigInteger, ForeignKey("tickets.id"), primary_key=True),
    Column("call_id", String(26), ForeignKey("calls.id"), primary_key=True, index=True),
    Column("relation", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)
from callcenter.storage import ticket_indexes as ticket_indexes  # noqa: E402  (0011s)

agent_queues = Table(
    "agent_queues",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.user_id", ondelete="CASCADE"), primary_key=True),
    Column("queue", String(32), primary_key=True),
    Column("level", SmallInteger, nullable=False, default=1),
)

agent_events = Table(
    "agent_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.user_id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("from_state", String(16), nullable=False),
    Column("to_state", String(16), nullable=False),
    Column("reason", String(32), nullable=True),
    Column("actor", String(16), nullable=False),  # agent, supervisor, system
    Column("actor_id", Integer, nullable=True),
    Column("call_id", String(26), nullable=True),
    Index("ix_agent_events_agent_at", "agent_id", "at"),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("call_id", String(26), ForeignKey("calls.id"), nullable=False, unique=True),
    Column("phone", String(20), nullable=False),
    Column("queue", String(32), nullable=False),
    # pending, offered, dialing, done, failed (tries used up), dropped
    Column("status", String(16), nullable=False, index=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("agent_id", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("tries", SmallInteger, nullable=False, default=0, server_default="0"),
    Column("next_at", UtcDateTime, nullable=True),  # not dialled again before this
    Column("provider", String(16), nullable=True),  # where the caller came in (dial there)
)

outage_service_points = Table(
    "outage_service_points",
    metadata,
    Column("outage_id", BigInteger, ForeignKey("outages.id", ondelete="CASCADE"), primary_key=True),
    Column("service_point_id", BigInteger, primary_key=True, index=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_id", Integer, nullable=True),
    Column("entity", String(32), nullable=False),  # agent, queue, outage, user
    Column("entity_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("data", Json, nullable=False),
    Column("address", String(64), nullable=True),  # issue 18: where the request came from
    Index("ix_audit_log_entity", "entity", "entity_id", "at"),
    Index("ix_audit_log_at", "at"),
)

queue_settings = Table(
    "queue_settings",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("settings", Json, nullable=False),  # the [[routing.queues]] keys
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", Integer, nullable=True),
)

# The outbound tables live in their own module (this one would pass 400 lines); importing it
# here registers them on `metadata` for every user of the schema (migrations, tests).
from callcenter.storage import outbound_tables as outbound_tables  # noqa: E402

# --- outgoing webhooks (issue 15): subscriptions, the outbox, the attempt log
from callcenter.storage import webhook_tables as webhook_tables  # noqa: E402

# --- issue 15: operators' versions of a year's working-day calendar (migration 0008c)
from callcenter.storage.calendar_tables import work_calendars as work_calendars  # noqa: E402

# --- issue 16 (recordings): the call's recording in `calls` (migration 0012r)
from callcenter.storage.recording_tables import add_recording_columns  # noqa: E402

add_recording_columns(calls)
# --- end of issue 16 (recordings)
