"""Deliveries from the SQL outbox to a local receiver: signed, retried with backoff while the
receiver is down (nothing lost), given up after the last try, redelivered by hand; claims
never hand one delivery to two workers. Time moves on a manual clock only."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.clock import ManualClock
from callcenter.core.events import Event
from callcenter.storage.webhooks import SqlWebhookStore
from callcenter.webhooks.backoff import RetryPolicy
from callcenter.webhooks.models import DeliveryStatus, SubscriptionChange
from callcenter.webhooks.sender import AiohttpSender
from callcenter.webhooks.service import WebhookService
from callcenter.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify
from callcenter.webhooks.worker import DeliveryWorker

Server = Callable[[web.Application], Awaitable[TestServer]]
SECRET = "whsec_receiver-secret-42"
LEASE = timedelta(seconds=10) + timedelta(seconds=60)


@dataclass
class Receiver:
    """A webhook receiver that answers 503 while `down`, and keeps what it got."""

    down: bool = True
    got: list[tuple[dict[str, str], str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        if self.down:
            return web.Response(status=503)
        self.got.append((dict(request.headers), body))
        return web.Response(status=204)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks", self.handle)
        return app


@dataclass
class Rig:
    store: SqlWebhookStore
    service: WebhookService
    worker: DeliveryWorker
    receiver: Receiver
    clock: ManualClock


@pytest.fixture
async def rig(
    engine: AsyncEngine, clock: ManualClock, aiohttp_server: Server
) -> AsyncIterator[Rig]:
    receiver = Receiver()
    receiver.url = str((await aiohttp_server(receiver.app())).make_url("/hooks"))
    store = SqlWebhookStore(engine)
    sender = AiohttpSender(timeout_seconds=10)
    await sender.open()
    policy = RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=3600)
    worker = DeliveryWorker(store, sender, clock, policy, timeout_seconds=10, draw=lambda: 0.0)
    yield Rig(store, WebhookService(store, clock), worker, receiver, clock)
    await sender.close()


async def subscribe(r: Rig, url: str, *events: str) -> int:
    return (await r.service.subscribe(url, events, SECRET, True)).id


async def test_a_receiver_that_is_down_loses_nothing(rig: Rig) -> None:
    sub = await subscribe(rig, rig.receiver.url, "ticket.created", "call.ended")
    await rig.service.publish(Event("ticket.created", {"ticket": 1, "summary": "停电"}))
    await rig.service.publish(Event("call.ended", {"call_id": "c1"}))
    await rig.service.publish(Event("attempt.result", {"attempt_id": 9}))  # not subscribed

    assert await rig.worker.run_once() == 2  # both fail: 503
    assert await rig.worker.run_once() == 0  # not due again yet
    failed = await rig.store.deliveries(sub, None, 10)
    assert [(d.status, d.attempts, [a.status_code for a in d.log]) for d in failed] == [
        (DeliveryStatus.PENDING, 1, [503])
    ] * 2
    assert {d.next_attempt_at for d in failed} == {rig.clock.now() + timedelta(seconds=5)}

    rig.receiver.down = False
    rig.clock.advance(timedelta(seconds=5))
    assert await rig.worker.run_once() == 2
    done = await rig.store.deliveries(sub, None, 10)
    assert [(d.status, [a.status_code for a in d.log]) for d in done] == [
        (DeliveryStatus.DELIVERED, [503, 204])
    ] * 2
    got = {h[EVENT_HEADER]: (h, json.loads(body), body) for h, body in rig.receiver.got}
    assert set(got) == {"ticket.created", "call.ended"}
    headers, payload, body = got["ticket.created"]
    assert payload["data"] == {"ticket": 1, "summary": "停电"}
    assert payload["type"] == "ticket.created"
    stamp = rig.clock.now().timestamp()
    assert verify(SECRET, headers[SIGNATURE_HEADER], body, now=stamp)
    assert {h[DELIVERY_HEADER] for h, _ in rig.receiver.got} == {d.id for d in done}
    assert await rig.worker.run_once() == 0


async def test_given_up_after_the_last_try_then_redelivered(rig: Rig) -> None:
    sub = await subscribe(rig, rig.receiver.url, "campaign.finished")
    await rig.service.publish(Event("campaign.finished", {"campaign_id": 3}))
    for _ in range(3):
        assert await rig.worker.run_once() == 1
        rig.clock.advance(timedelta(hours=1))
    assert await rig.worker.run_once() == 0
    [failed] = await rig.store.deliveries(sub, DeliveryStatus.FAILED, 10)
    assert (failed.attempts, failed.next_attempt_at, len(failed.log)) == (3, None, 3)

    again = await rig.service.redeliver(failed.id)
    assert (again.status, again.attempts, len(again.log)) == (DeliveryStatus.PENDING, 0, 3)
    rig.receiver.down = False
    assert await rig.worker.run_once() == 1
    [done] = await rig.store.deliveries(sub, None, 10)
    assert (done.status, len(done.log)) == (DeliveryStatus.DELIVERED, 4)
    assert [h[DELIVERY_HEADER] for h, _ in rig.receiver.got] == [failed.id]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_a_receiver_not_listening_is_logged_as_an_error(rig: Rig) -> None:
    sub = await subscribe(rig, f"http://127.0.0.1:{_closed_port()}/x", "call.ended")
    await rig.service.publish(Event("call.ended", {"call_id": "c2"}))
    assert await rig.worker.run_once() == 1
    [pending] = await rig.store.deliveries(sub, None, 10)
    [attempt] = pending.log
    assert (pending.status, attempt.status_code) == (DeliveryStatus.PENDING, None)
    assert attempt.error


async def test_inactive_subscriptions_keep_their_deliveries_waiting(rig: Rig) -> None:
    sub = await subscribe(rig, rig.receiver.url, "ticket.changed")
    await rig.service.publish(Event("ticket.changed", {"ticket": 2}))
    await rig.store.change(sub, SubscriptionChange(active=False), rig.clock.now())
    await rig.service.publish(Event("ticket.changed", {"ticket": 3}))  # no new delivery
    assert await rig.worker.run_once() == 0
    assert len(await rig.store.deliveries(sub, DeliveryStatus.PENDING, 10)) == 1


async def test_claims_are_exclusive_and_lapse_when_a_worker_dies(rig: Rig) -> None:
    await subscribe(rig, rig.receiver.url, "call.ended")
    for n in range(6):
        await rig.service.publish(Event("call.ended", {"call_id": f"c{n}"}))
    now = rig.clock.now()
    first, second = await asyncio.gather(
        rig.store.claim(now, now + LEASE, 4), rig.store.claim(now, now + LEASE, 4)
    )
    rest = await rig.store.claim(now, now + LEASE, 10)  # what a lost compare-and-set left
    ids = [c.id for c in first + second + rest]
    assert len(ids) == len(set(ids)) == 6
    assert await rig.store.claim(now, now + LEASE, 10) == []
    rig.clock.advance(LEASE)  # the claiming worker died without a word: the lease lapses
    rig.receiver.down = False
    assert await rig.worker.run_once() == 6
    assert len(rig.receiver.got) == 6
