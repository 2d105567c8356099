"""Issue 17 (speed): `[server] event_loop` picks uvloop (auto: when installed) or asyncio."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from callcenter.config import load_settings
from callcenter.core.errors import ConfigError
from callcenter.web.workers import new_loop


@pytest.mark.parametrize(
    ("choice", "kind"),
    [("auto", uvloop.Loop), ("uvloop", uvloop.Loop), ("asyncio", asyncio.BaseEventLoop)],
)
def test_the_loop_asked_for(choice: str, kind: type) -> None:
    loop = new_loop(choice)
    try:
        assert isinstance(loop, kind)
        if choice == "asyncio":
            assert not isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_an_unknown_loop_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="event_loop"):
        load_settings(None, {"CALLCENTER_SERVER__EVENT_LOOP": "tokio"})


def test_the_default_is_auto() -> None:
    assert load_settings(None, {}).server.event_loop == "auto"
