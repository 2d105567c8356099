"""Subscriptions (checked and stored) and the publishing side: an event becomes one pending
delivery per subscriber in the outbox."""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit

from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.events import Event
from callcenter.core.ids import is_id, new_id
from callcenter.webhooks.models import (
    Delivery,
    DeliveryStatus,
    EventType,
    InvalidWebhookError,
    NoSuchDeliveryError,
    NoSuchWebhookError,
    Subscription,
    SubscriptionChange,
)
from callcenter.webhooks.ports import WebhookStore

log = logging.getLogger(__name__)
MIN_SECRET = 16
MAX_URL = 2000


def check_url(url: str) -> str:
    """An http(s) URL with a host, or `invalid-webhook-url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidWebhookError(
            f"a webhook URL must be http(s)://host/...: {url[:100]!r}", code="invalid-webhook-url"
        )
    return url


def check_events(events: tuple[str, ...]) -> tuple[EventType, ...]:
    """Known event types, each once, or `unknown-event-type` / `no-event-types`."""
    if not events:
        raise InvalidWebhookError("a webhook needs at least one event type", code="no-event-types")
    known = {e.value for e in EventType}
    unknown = sorted(set(events) - known)
    if unknown:
        raise InvalidWebhookError(
            f"unknown event types {unknown}; known: {sorted(known)}", code="unknown-event-type"
        )
    return tuple(EventType(e) for e in dict.fromkeys(events))


def check_secret(secret: str) -> str:
    """A secret of at least `MIN_SECRET` characters, or `invalid-webhook-secret`."""
    if len(secret) < MIN_SECRET or not secret.isprintable():
        raise InvalidWebhookError(
            f"a webhook secret has at least {MIN_SECRET} printable characters",
            code="invalid-webhook-secret",
        )
    return secret


def new_secret() -> str:
    """A random signing secret."""
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookService:
    """Implements `EventSink`; manages subscriptions and manual redelivery."""

    def __init__(self, store: WebhookStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def subscribe(
        self, url: str, events: tuple[str, ...], secret: str | None, active: bool
    ) -> Subscription:
        """A new subscription; its secret is generated when not given."""
        checked = check_events(events)
        key = check_secret(secret) if secret is not None else new_secret()
        return await self._store.add(check_url(url), checked, key, active, self._clock.now())

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription."""
        return await self._store.subscriptions()

    async def get(self, subscription_id: int) -> Subscription:
        """One subscription, or `no-such-webhook`."""
        found = await self._store.subscription(subscription_id)
        if found is None:
            raise NoSuchWebhookError(f"no webhook with id {subscription_id}")
        return found

    async def change(self, subscription_id: int, change: SubscriptionChange) -> Subscription:
        """Change a subscription's URL, events, secret or activity."""
        checked = SubscriptionChange(
            url=check_url(change.url) if change.url is not None else None,
            events=check_events(change.events) if change.events is not None else None,
            secret=check_secret(change.secret) if change.secret is not None else None,
            active=change.active,
        )
        changed = await self._store.change(subscription_id, checked, self._clock.now())
        if changed is None:
            raise NoSuchWebhookError(f"no webhook with id {subscription_id}")
        return changed

    async def remove(self, subscription_id: int) -> None:
        """Delete a subscription and its deliveries."""
        if not await self._store.remove(subscription_id):
            raise NoSuchWebhookError(f"no webhook with id {subscription_id}")

    async def deliveries(
        self, subscription_id: int, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        """A subscription's latest deliveries with their attempt logs."""
        await self.get(subscription_id)
        return await self._store.deliveries(subscription_id, status, limit)

    async def redeliver(self, delivery_id: str) -> Delivery:
        """Send a delivery again (same id and body; a fresh round of tries)."""
        if not is_id(delivery_id):
            raise InvalidInputError(f"not a delivery id: {delivery_id[:40]!r}", code="invalid-id")
        found = await self._store.redeliver(delivery_id, self._clock.now())
        if found is None:
            raise NoSuchDeliveryError(f"no delivery with id {delivery_id}")
        return found

    async def publish(self, event: Event) -> None:
        """Put `event` in the outbox for its subscribers. The change that caused it is
        already stored, so a failure here is logged, never raised into that use case."""
        now = self._clock.now()
        event_id = new_id(now)
        body = json.dumps(
            {"id": event_id, "type": event.type, "created_at": now.isoformat(), "data": event.data},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            queued = await self._store.enqueue(event_id, event.type, body, now)
        except Exception:
            log.exception("webhook event %s %s could not be queued", event.type, event_id)
            return
        if queued:
            log.debug("webhook event %s %s queued for %d subscribers", event.type, event_id, queued)
