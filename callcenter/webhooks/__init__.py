"""Outgoing webhooks: subscriptions per event type, signed deliveries from a durable outbox
with retries and backoff, a delivery log and manual redelivery."""
