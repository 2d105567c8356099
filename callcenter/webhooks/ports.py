"""What the webhooks package needs from storage and the network, and the event port it
implements (`EventSink`, shared through `callcenter.core.events`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.core.events import Event, EventSink
from callcenter.webhooks.models import (
    Claimed,
    Delivery,
    DeliveryStatus,
    EventType,
    SendResult,
    Subscription,
    SubscriptionChange,
)

__all__ = ["Event", "EventSink", "Sender", "WebhookStore"]


class WebhookStore(Protocol):
    """Subscriptions, the outbox of deliveries and their attempt log."""

    async def add(
        self, url: str, events: tuple[EventType, ...], secret: str, active: bool, at: datetime
    ) -> Subscription:
        """Store a new subscription."""

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription, oldest first."""

    async def subscription(self, subscription_id: int) -> Subscription | None:
        """One subscription."""

    async def change(
        self, subscription_id: int, change: SubscriptionChange, at: datetime
    ) -> Subscription | None:
        """Apply `change`; None when there is no such subscription."""

    async def remove(self, subscription_id: int) -> bool:
        """Delete a subscription with its deliveries; False when there was none."""

    async def enqueue(self, event_id: str, event_type: str, body: str, at: datetime) -> int:
        """One pending delivery of `body` per active subscription to `event_type`, in one
        transaction; how many."""

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
        """Take up to `limit` due pending deliveries of active subscriptions: none is
        handed to two workers (their next try moves to `lease_until`, so a worker that dies
        holding one gives it back when the lease lapses)."""

    async def attempted(
        self,
        delivery_id: str,
        result: SendResult,
        at: datetime,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None:
        """Log one try and set the delivery's status and next try."""

    async def deliveries(
        self, subscription_id: int, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        """A subscription's deliveries, newest first, with their attempt logs."""

    async def redeliver(self, delivery_id: str, at: datetime) -> Delivery | None:
        """Make a delivery pending again, due at `at`, with a fresh count of tries."""


class Sender(Protocol):
    """Posts one signed request to a receiver."""

    async def post(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        """The receiver's answer or the error; never raises for a network failure."""
