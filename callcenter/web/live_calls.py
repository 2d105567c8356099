"""The live call's composition: the provider controls, the agent and supervisor routes,
Twilio's conference, recording and live-leg callbacks, and the audit of monitoring. Two
calls in the app wire it (`live_controls` for the ACD, `setup_live` for the routes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aiohttp import web

from agents.live.http import LiveHttp
from agents.live.service import LiveControls
from agents.models import SIMULATOR
from callcenter.callflow.asterisk_live import asterisk_live
from callcenter.callflow.contact_watch import contact_watch
from callcenter.simulator.live import SimulatedLive
from callcenter.storage.outbound_admin import SqlAuditWriter
from callcenter.telephony.twilio.bridge import TwilioRest
from callcenter.telephony.twilio.http import TwilioWebhooks
from callcenter.telephony.twilio.live import TwilioLive
from callcenter.telephony.twilio.live_http import TwilioLiveWebhooks
from callcenter.telephony.twilio.recording_files import recording_update
from callcenter.telephony.twilio.softphone_http import SOFTPHONE, SoftphoneCalls
from callcenter.web.keys import ACD, ENGINE, SETTINGS
from callcenter.web.recordings import RECORDINGS


def live_controls(app: web.Application, rest: TwilioRest | None) -> LiveControls:
    """The `LiveControl` of each provider."""
    settings = app[SETTINGS]
    twilio = settings.twilio
    return LiveControls(
        {
            "twilio": TwilioLive(
                rest,
                settings.server.public_base_url,
                twilio.hold_music_url,
                settings.routing.offer_seconds,
            ),
            "asterisk": asterisk_live(app),
            SIMULATOR: SimulatedLive(),
        }
    )


def recording_policy(app: web.Application) -> Callable[[str], bool]:
    """Whether a queue's calls are recorded (the ACD's queues say: `record_calls`)."""
    return lambda queue: app[ACD].records(queue)


class RecordingsOfTwilio:
    """Hands Twilio's recording callbacks to the recordings use case (`app[RECORDINGS]`,
    set up after the routes)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def twilio_recording(self, call_id: str, params: Mapping[str, str]) -> None:
        update = recording_update(params)
        if update is not None and RECORDINGS in self._app:
            await self._app[RECORDINGS].update(call_id, update)


def setup_live(app: web.Application, webhooks: TwilioWebhooks) -> None:
    """Mount the live-call routes and Twilio's live callbacks."""
    acd = app[ACD]
    acd.live.audit_to(SqlAuditWriter(app[ENGINE]))
    LiveHttp(acd).setup(app)
    TwilioLiveWebhooks(acd.live, acd, RecordingsOfTwilio(app)).setup(app, webhooks.signed)
    contact_watch(app)  # issue 17: a PJSIP contact gone makes its agent not ready
    phones = SoftphoneCalls(acd.agents, app[SETTINGS].outbound.caller_id)
    app.router.add_post(SOFTPHONE, webhooks.signed(phones.outgoing))
