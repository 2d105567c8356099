"""Webhook subscriptions, deliveries and their attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.errors import InvalidInputError, NotFoundError


class EventType(StrEnum):
    """The events a subscription may ask for (`ticket.warned` and `ticket.breached` are
    reserved: the SLA sweep will publish them)."""

    CALL_ENDED = "call.ended"
    TICKET_CREATED = "ticket.created"
    TICKET_CHANGED = "ticket.changed"
    TICKET_WARNED = "ticket.warned"
    TICKET_BREACHED = "ticket.breached"
    ATTEMPT_RESULT = "attempt.result"
    CAMPAIGN_FINISHED = "campaign.finished"


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting for its (next) try, done, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class NoSuchWebhookError(NotFoundError):
    """No subscription has that id."""

    default_code = "no-such-webhook"


class NoSuchDeliveryError(NotFoundError):
    """No delivery has that id."""

    default_code = "no-such-delivery"


class InvalidWebhookError(InvalidInputError):
    """A subscription's URL, events or secret are not acceptable."""

    default_code = "invalid-webhook"


@dataclass(frozen=True, slots=True)
class Subscription:
    """Where to send which events, signed with `secret`."""

    id: int
    url: str
    events: tuple[EventType, ...]
    secret: str
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """A partial update of a subscription (None: unchanged)."""

    url: str | None = None
    events: tuple[str, ...] | None = None
    secret: str | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class AttemptLog:
    """One try of a delivery: the receiver's status code or the error, and how long it took."""

    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription, with its tries so far."""

    id: str
    subscription_id: int
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    log: tuple[AttemptLog, ...] = ()


@dataclass(frozen=True, slots=True)
class Claimed:
    """A due delivery taken by this worker, with what it takes to send it."""

    id: str
    url: str
    secret: str
    event_type: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one HTTP request to a receiver gave."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        """The receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300
