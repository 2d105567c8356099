"""The gateways the server places campaign calls on, one of each kind, built from the
settings: the simulated one always (the embedded default), Twilio when its account and the
public address are set, Asterisk when the AMI session is configured. Results of every
gateway go to one sink, which hands each to its campaign's dialer."""

from __future__ import annotations

import logging

from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.errors import ConflictError
from callcenter.telephony.asterisk.outbound import AmiGateway
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.telephony.simulated import SimulatedGateway
from callcenter.telephony.twilio.outbound import TwilioGateway, TwilioOutboundConfig
from outbound.gateway import Gateway, ResultSink
from outbound.models import GatewayKind

log = logging.getLogger(__name__)


class GatewayNotConfiguredError(ConflictError):
    """A campaign names a gateway this server has no connection for."""

    default_code = "gateway-not-configured"


HOW_TO = {
    GatewayKind.TWILIO: "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and server.public_base_url",
    GatewayKind.ASTERISK: "set asterisk.ami_host and CALLCENTER_ASTERISK__AMI_SECRET",
}


def twilio_config(settings: Settings) -> TwilioOutboundConfig | None:
    """Twilio's outbound settings, or None when Twilio is not configured for it."""
    twilio = settings.twilio
    token = twilio.auth_token.get_secret_value() if twilio.auth_token else ""
    if not (twilio.account_sid and token and settings.server.public_base_url):
        return None
    return TwilioOutboundConfig(
        twilio.account_sid,
        token,
        settings.server.public_base_url,
        api_base_url=twilio.api_base_url,
        calls_per_second=twilio.calls_per_second,
        max_in_flight=settings.outbound.gateway_concurrency,
    )


class GatewayBook:
    """The gateways by kind; `open` inside the running loop, `close` at shutdown."""

    def __init__(self, settings: Settings, clock: Clock, sink: ResultSink) -> None:
        out = settings.outbound
        self.simulated = SimulatedGateway(
            sink, seed=out.simulated_seed, ring_seconds=out.simulated_ring_seconds, clock=clock
        )
        config = twilio_config(settings)
        self.twilio = TwilioGateway(config) if config is not None else None
        self.asterisk: AmiGateway | None = None
        self._sink = sink

    def attach_ami(self, ami: AsteriskAmi) -> None:
        """Place Asterisk campaigns on this AMI session."""
        self.asterisk = AmiGateway(ami, self._sink)

    def configured(self) -> list[GatewayKind]:
        """The kinds this server can place calls on."""
        kinds = [GatewayKind.SIMULATED]
        kinds += [GatewayKind.TWILIO] if self.twilio is not None else []
        kinds += [GatewayKind.ASTERISK] if self.asterisk is not None else []
        return kinds

    def get(self, kind: GatewayKind) -> Gateway:
        """The gateway of `kind`, or `gateway-not-configured` (409) saying what to set."""
        gateway: Gateway | None = {
            GatewayKind.SIMULATED: self.simulated,
            GatewayKind.TWILIO: self.twilio,
            GatewayKind.ASTERISK: self.asterisk,
        }[kind]
        if gateway is None:
            raise GatewayNotConfiguredError(
                f"the {kind} gateway is not configured on this server: {HOW_TO[kind]}"
            )
        return gateway

    async def open(self) -> None:
        if self.twilio is not None:
            await self.twilio.open()

    async def close(self) -> None:
        await self.simulated.close()
        if self.twilio is not None:
            await self.twilio.close()
        if self.asterisk is not None:
            await self.asterisk.close()
