"""Issue 17: a served app freezes what its start left and collects young objects less often
(`callcenter.web.heap`); `callcenter serve` runs that hook after every other."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from aiohttp import web

from callcenter.config import Settings
from callcenter.web import workers
from callcenter.web.heap import YOUNG_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
async def test_settling_freezes_what_lives_and_collects_the_young_less_often() -> None:
    kept = [object() for _ in range(10)]  # noqa: F841 (alive through the freeze)
    await settle_heap(web.Application())
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_serve_settles_the_heap_after_every_other_start_up_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[web.Application] = []
    monkeypatch.setattr(web, "run_app", lambda app, **_: seen.append(app))
    app = web.Application()

    async def own_hook(_: web.Application) -> None:
        pass

    app.on_startup.append(own_hook)
    workers._run(app, Settings(), None)
    assert seen == [app] and list(app.on_startup)[-1] is settle_heap
