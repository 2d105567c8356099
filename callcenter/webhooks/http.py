"""Thin handlers of the webhook API (administrators only)."""

from __future__ import annotations

from aiohttp import web

from callcenter.core.api import Role, endpoint
from callcenter.httpkit import parse_body, parse_query, path_int, respond, to_model
from callcenter.webhooks.models import DeliveryStatus, SubscriptionChange
from callcenter.webhooks.schemas import (
    DeliveriesQuery,
    DeliveryList,
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionPatch,
)
from callcenter.webhooks.service import WebhookService

ADMIN = frozenset({Role.ADMIN})
INVALID = ("invalid-webhook-url", "unknown-event-type", "no-event-types", "invalid-webhook-secret")


class WebhooksHttp:
    """`/api/webhooks`: subscriptions, their deliveries, and redelivery."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_post("/api/webhooks", self.create_webhook)
        app.router.add_get("/api/webhooks", self.list_webhooks)
        app.router.add_get("/api/webhooks/{webhook_id}", self.get_webhook)
        app.router.add_patch("/api/webhooks/{webhook_id}", self.change_webhook)
        app.router.add_delete("/api/webhooks/{webhook_id}", self.remove_webhook)
        app.router.add_get("/api/webhooks/{webhook_id}/deliveries", self.webhook_deliveries)
        app.router.add_post(
            "/api/webhooks/deliveries/{delivery_id}/redeliver", self.redeliver_webhook
        )

    @endpoint(
        "Subscribe a URL to events (the signing secret is shown this once)",
        roles=ADMIN,
        body=SubscriptionIn,
        response=SubscriptionCreated,
        errors=("invalid-body", *INVALID),
        tag="webhooks",
    )
    async def create_webhook(self, request: web.Request) -> web.Response:
        body = await parse_body(SubscriptionIn, request)
        made = await self._service.subscribe(body.url, tuple(body.events), body.secret, body.active)
        return respond(to_model(SubscriptionCreated, made), status=201)

    @endpoint("Every webhook subscription", roles=ADMIN, response=SubscriptionList, tag="webhooks")
    async def list_webhooks(self, request: web.Request) -> web.Response:
        found = await self._service.subscriptions()
        return respond(SubscriptionList(webhooks=[to_model(SubscriptionOut, s) for s in found]))

    @endpoint(
        "A webhook subscription",
        roles=ADMIN,
        response=SubscriptionOut,
        errors=("no-such-webhook",),
        tag="webhooks",
    )
    async def get_webhook(self, request: web.Request) -> web.Response:
        found = await self._service.get(path_int(request, "webhook_id"))
        return respond(to_model(SubscriptionOut, found))

    @endpoint(
        "Change a subscription's URL, events, secret or activity",
        roles=ADMIN,
        body=SubscriptionPatch,
        response=SubscriptionOut,
        errors=("invalid-body", "no-such-webhook", *INVALID),
        tag="webhooks",
    )
    async def change_webhook(self, request: web.Request) -> web.Response:
        body = await parse_body(SubscriptionPatch, request)
        events = tuple(body.events) if body.events is not None else None
        change = SubscriptionChange(body.url, events, body.secret, body.active)
        changed = await self._service.change(path_int(request, "webhook_id"), change)
        return respond(to_model(SubscriptionOut, changed))

    @endpoint(
        "Delete a subscription with its deliveries",
        roles=ADMIN,
        errors=("no-such-webhook",),
        tag="webhooks",
        statuses=(204,),
    )
    async def remove_webhook(self, request: web.Request) -> web.Response:
        await self._service.remove(path_int(request, "webhook_id"))
        return web.Response(status=204)

    @endpoint(
        "A subscription's latest deliveries with each try's status code, error and duration",
        roles=ADMIN,
        query=DeliveriesQuery,
        response=DeliveryList,
        errors=("invalid-query", "no-such-webhook"),
        tag="webhooks",
    )
    async def webhook_deliveries(self, request: web.Request) -> web.Response:
        query = parse_query(DeliveriesQuery, request.query)
        found = await self._service.deliveries(
            path_int(request, "webhook_id"), _status(query.status), query.limit
        )
        return respond(DeliveryList(deliveries=[to_model(DeliveryOut, d) for d in found]))

    @endpoint(
        "Send a delivery again (same delivery id and body, a fresh round of tries)",
        roles=ADMIN,
        response=DeliveryOut,
        errors=("invalid-id", "no-such-delivery"),
        tag="webhooks",
        statuses=(202,),
    )
    async def redeliver_webhook(self, request: web.Request) -> web.Response:
        found = await self._service.redeliver(request.match_info["delivery_id"])
        return respond(to_model(DeliveryOut, found), status=202)


def _status(text: str | None) -> DeliveryStatus | None:
    return DeliveryStatus(text) if text is not None else None
