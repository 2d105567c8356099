"""The ACD's composition: its queues from the settings, the bridges of each provider (the
call's conference on Twilio, the FastAGI session on Asterisk, the simulator's mailbox), the
live call's controls and state, and what it reads from SQL to reconcile and recover."""

from __future__ import annotations

from aiohttp import web

from agents.center import Acd
from agents.models import SIMULATOR
from agents.ports import Bridge
from agents.routing import queue_configs
from callcenter.callflow.acd import AcdCallEvents, BridgeByProvider, ProfilePops
from callcenter.campaigns.assisted import AssistedBridge
from callcenter.campaigns.desk_wiring import campaign_pops
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.errors import ConfigError
from callcenter.state.acd import RedisRoutingState
from callcenter.state.epoch import RedisEpoch
from callcenter.state.keys import Keys
from callcenter.state.live import RedisLiveStates
from callcenter.state.redis import MEMORY_SCHEME
from callcenter.storage.agents import SqlAgentDirectory, SqlCallbackLog
from callcenter.storage.call_ends import SqlCallEnds
from callcenter.storage.open_calls import SqlOpenCalls
from callcenter.telephony.asterisk.bridge import AsteriskBridge
from callcenter.telephony.twilio.bridge import ConferenceMode, TwilioBridge, TwilioRest
from callcenter.telephony.twilio.twiml import TwimlRenderer
from callcenter.web.keys import CALLS, ENGINE, IVR, OUTBOUND_BRIDGE, PROFILES, REDIS
from callcenter.web.live_calls import live_controls, recording_policy


def build_acd(
    settings: Settings,
    app: web.Application,
    clock: Clock,
    directory: SqlAgentDirectory,
    rest: TwilioRest | None,
    asterisk: AsteriskBridge,
    simulator: TwilioRest,
) -> Acd:
    """The ACD with its bridges, live-call controls and recovery."""
    routing = settings.routing
    try:
        queues = queue_configs(routing.queue_configs())
    except ValueError as err:
        raise ConfigError(f"routing.queues: {err}") from err
    lives = RedisLiveStates(app[REDIS], Keys(settings.redis.key_prefix))
    renderer = TwimlRenderer(
        lambda name: app[IVR].flow(name), settings.twilio.voices, settings.twilio.hold_music_url
    )
    record = recording_policy(app)
    twilio = TwilioBridge(
        rest,
        settings.server.public_base_url,
        routing.offer_seconds,
        conference=ConferenceMode(renderer, lives, record),
    )
    simulated = TwilioBridge(
        simulator, settings.server.public_base_url, routing.offer_seconds, provider=SIMULATOR
    )
    bridges: dict[str, Bridge] = {"twilio": twilio, "asterisk": asterisk, SIMULATOR: simulated}
    bridge = app[OUTBOUND_BRIDGE] = AssistedBridge(BridgeByProvider(bridges, "twilio"))
    # a campaign call reserves its agent before the callee rings (a preview: before the
    # agent has read it): the offer lasts that long
    out = settings.outbound
    held = max(routing.offer_seconds, out.preview_seconds) + out.ring_seconds
    return Acd(
        RedisRoutingState(app[REDIS], Keys(settings.redis.key_prefix)),
        directory,
        queues,
        clock,
        bridge=bridge,
        calls=AcdCallEvents(app[CALLS]),
        pops=ProfilePops(app[PROFILES], app[CALLS], campaign_pops(app[ENGINE])),
        callbacks=SqlCallbackLog(app[ENGINE]),
        timezone=settings.server.timezone,
        offer_seconds=routing.offer_seconds,
        outbound_offer_seconds=held,
        live=(live_controls(app, rest), lives),
        recovery=(
            SqlOpenCalls(app[ENGINE]),
            RedisEpoch(
                app[REDIS],
                Keys(settings.redis.key_prefix),
                volatile=settings.redis.url.startswith(MEMORY_SCHEME),
            ),
        ),
        ends=SqlCallEnds(app[ENGINE]),
    )
