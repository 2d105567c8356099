"""Issue 17 (speed): every call's end publishes an event, so the active subscriptions are
read at most every few seconds; a change made on this instance counts at once, one made on
another within that time, and a subscription another instance removed meanwhile does not
cost the others their event."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.storage import webhooks as store_module
from callcenter.storage.webhooks import SqlWebhookStore
from callcenter.webhooks.models import EventType
from tests.conftest import NOW

CALL_ENDED = (EventType.CALL_ENDED,)


async def _add(store: SqlWebhookStore, url: str) -> int:
    return (await store.add(url, CALL_ENDED, "s" * 32, True, NOW)).id


async def test_a_change_here_counts_at_once(engine: AsyncEngine) -> None:
    store = SqlWebhookStore(engine)
    assert await store.enqueue("e1", "call.ended", "{}", NOW) == 0
    first = await _add(store, "https://crm.example/hook")
    assert await store.enqueue("e2", "call.ended", "{}", NOW) == 1
    await store.remove(first)
    assert await store.enqueue("e3", "call.ended", "{}", NOW) == 0


async def test_a_change_elsewhere_counts_once_the_list_is_old(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, elsewhere = SqlWebhookStore(engine), SqlWebhookStore(engine)
    assert await here.enqueue("e1", "call.ended", "{}", NOW) == 0
    await _add(elsewhere, "https://crm.example/hook")
    assert await here.enqueue("e2", "call.ended", "{}", NOW) == 0  # within the window
    monkeypatch.setattr(store_module, "SUBSCRIBERS_SECONDS", 0.0)
    assert await here.enqueue("e3", "call.ended", "{}", NOW) == 1


async def test_a_subscription_removed_elsewhere_does_not_cost_the_others(
    engine: AsyncEngine,
) -> None:
    here, elsewhere = SqlWebhookStore(engine), SqlWebhookStore(engine)
    gone = await _add(here, "https://gone.example/hook")
    await _add(here, "https://crm.example/hook")
    assert await here.enqueue("e1", "call.ended", "{}", NOW) == 2
    await elsewhere.remove(gone)
    assert await here.enqueue("e2", "call.ended", "{}", NOW) == 1
