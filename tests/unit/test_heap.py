"""Issue 17: a served app freezes what its start left and collects young objects less often
(`callcenter.web.heap`); `callcenter serve` runs that hook after every other."""

from __future__ import annotations

import gc

import pytest
from aiohttp import web

from callcenter.config import Settings
from callcenter.web import workers
from callcenter.web.heap import YOUNG_THRESHOLD, settle_heap


async def test_settling_collects_freezes_and_collects_the_young_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the collector's functions, not the test process's own heap (freezing the whole
    suite's heap took seconds)."""
    done: list[object] = []
    monkeypatch.setattr(gc, "collect", lambda *_: done.append("collect"))
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    monkeypatch.setattr(gc, "set_threshold", lambda *t: done.append(t))
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    await settle_heap(web.Application())
    assert done == ["collect", "freeze", (YOUNG_THRESHOLD, 10, 10)]


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
