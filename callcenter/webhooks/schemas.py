"""The webhook API's shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from callcenter.webhooks.models import DeliveryStatus


class SubscriptionIn(BaseModel):
    """A new subscription; `secret` is generated when left out."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    events: list[str] = Field(max_length=20)
    secret: str | None = Field(default=None, max_length=128)
    active: bool = True


class SubscriptionPatch(BaseModel):
    """A change of a subscription: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=20)
    secret: str | None = Field(default=None, max_length=128)
    active: bool | None = None


class SubscriptionOut(BaseModel):
    """A subscription (its secret is never shown again after creation)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionOut):
    """A new subscription, with its signing secret, shown this once."""

    secret: str


class SubscriptionList(BaseModel):
    """Every subscription."""

    webhooks: list[SubscriptionOut]


class DeliveriesQuery(BaseModel):
    """Which deliveries to list."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, pattern="^(pending|delivered|failed)$")
    limit: int = Field(default=50, ge=1, le=500)


class AttemptOut(BaseModel):
    """One try of a delivery."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """A delivery with its attempt log."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    subscription_id: int
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]


class DeliveryList(BaseModel):
    """A subscription's latest deliveries, newest first."""

    deliveries: list[DeliveryOut]
