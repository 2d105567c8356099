"""`asterisk_live(app)` (issue 16), the one function the composition root calls: the
configured recording directory, attached to the app's AMI session when one is configured
(so relayed operations are served there), unavailable when none is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from agents.live.ports import LiveControlError
from callcenter.app import create_app
from callcenter.callflow.asterisk_live import asterisk_live
from callcenter.core.clock import ManualClock
from callcenter.telephony.asterisk.live import RELAY_ACTION
from callcenter.web.keys import AMI
from tests.adapters.asterisk_live_helpers import live_call
from tests.adapters.test_ami_operations import Asterisk
from tests.ami_helpers import FakeAmi, ami_settings
from tests.conftest import NOW, app_settings

Client = TestClient[web.Request, web.Application]


async def test_the_live_control_is_attached_to_the_apps_ami_session(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    async with FakeAmi(Asterisk()) as server:
        settings = ami_settings(
            stores, server.port, CALLCENTER_ASTERISK__RECORDING_DIR="/srv/recordings"
        )
        app = create_app(settings, clock=ManualClock(NOW))
        live = asterisk_live(app)
        client = await aiohttp_client(app)
        assert live.recording_dir == "/srv/recordings"
        assert RELAY_ACTION in client.app[AMI].relay_handlers
        await client.close()


async def test_without_asterisk_the_live_call_is_unavailable(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], stores: tuple[str, str]
) -> None:
    app = create_app(app_settings(stores), clock=ManualClock(NOW))
    live = asterisk_live(app)
    client = await aiohttp_client(app)
    assert live.recording_dir == "/var/spool/asterisk/monitor"
    with pytest.raises(LiveControlError) as refused:
        await live.hold(live_call("c1", "1.1", caller="PJSIP/trunk-1"))
    assert refused.value.code == "live-control-unavailable"
    await client.close()
