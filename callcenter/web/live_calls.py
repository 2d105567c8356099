"""The live call's composition: the provider controls, the agent and supervisor routes,
Twilio's conference, recording and live-leg callbacks, and the audit of monitoring. Two
calls in the app wire it (`live_controls` for the ACD, `setup_live` for the routes)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from agents.live.http import LiveHttp
from agents.live.service import LiveControls
from agents.models import SIMULATOR
from callcenter.config import Settings
from callcenter.simulator.live import SimulatedLive
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.telephony.twilio.bridge import TwilioRest
from callcenter.telephony.twilio.http import TwilioWebhooks
from callcenter.telephony.twilio.live import TwilioLive
from callcenter.telephony.twilio.live_http import TwilioLiveWebhooks
from callcenter.web.keys import ACD, ENGINE


def live_controls(settings: Settings, rest: TwilioRest | None) -> LiveControls:
    """The `LiveControl` of each provider."""
    twilio = settings.twilio
    return LiveControls(
        {
            "twilio": TwilioLive(
                rest,
                settings.server.public_base_url,
                twilio.hold_music_url,
                settings.routing.offer_seconds,
            ),
            SIMULATOR: SimulatedLive(),
        }
    )


def recording_policy(app: web.Application) -> Callable[[str], bool]:
    """Whether a queue's calls are recorded (no queue records until its policy says so)."""

    def record(queue: str) -> bool:
        return False

    return record


def setup_live(app: web.Application, webhooks: TwilioWebhooks) -> None:
    """Mount the live-call routes and Twilio's live callbacks."""
    acd = app[ACD]
    acd.live.audit_to(SqlAuditWriter(app[ENGINE]))
    LiveHttp(acd).setup(app)
    TwilioLiveWebhooks(acd.live, acd).setup(app, webhooks.signed)
