"""Builds the live-call control for Asterisk calls (issue 16): `AsteriskLive`, relaying
through Redis when this instance does not hold the AMI session, and attached to the session
when it starts here."""

from __future__ import annotations

from aiohttp import web

from callcenter.state.keys import Keys
from callcenter.state.requests import RedisRequests
from callcenter.telephony.asterisk.live import AsteriskLive
from callcenter.web.keys import AMI, REDIS, SETTINGS


def asterisk_live(app: web.Application) -> AsteriskLive:
    """The `LiveControl` of provider `asterisk` (call once, in `create_app`, after
    `app[REDIS]` is set)."""
    settings = app[SETTINGS]
    channel = Keys(settings.redis.key_prefix).ami_actions()
    live = AsteriskLive(RedisRequests(app[REDIS], channel), settings.asterisk.recording_dir)

    async def attach(app: web.Application) -> None:
        if AMI in app:  # [asterisk] ami_host is set: the session exists (held or standby)
            live.attach(app[AMI])

    app.on_startup.append(attach)
    return live
