"""The texts of notice campaigns on this server: the use case on the SQL store, Twilio
Messages for Twilio campaigns, and a ledger for simulated ones (the embedded default).
Asterisk campaigns cannot text: their texts are recorded failed (`no-text-gateway`)."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.campaigns.gateways import GatewayBook
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.phone import mask
from callcenter.storage.campaign_texts import SqlTextStore
from outbound.models import GatewayKind
from outbound.ports import OptOuts
from outbound.texts.ports import TextSender
from outbound.texts.service import CampaignTexts
from outbound.texts.templates import TextTemplates

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SimulatedText:
    """One text the simulated gateway 'sent'."""

    sid: str
    to: str
    from_: str
    body: str
    at: datetime


@dataclass(slots=True)
class SimulatedTexts:
    """`TextSender` in-process: `sent` is the ledger of every text."""

    clock: Clock
    sent: list[SimulatedText] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def send_sms(self, to: str, from_: str, body: str) -> str:
        """Record the text; its id `SIMSMS-<n>`."""
        text = SimulatedText(f"SIMSMS-{next(self._ids)}", to, from_, body, self.clock.now())
        self.sent.append(text)
        log.debug("simulated text %s to %s", text.sid, mask(to))
        return text.sid


class TextSenders:
    """The sender of each gateway kind: the simulated ledger, Twilio's Messages when Twilio
    is configured (the same client as its calls), none for Asterisk."""

    def __init__(self, gateways: GatewayBook, clock: Clock) -> None:
        self._gateways = gateways
        self.simulated = SimulatedTexts(clock)

    def __call__(self, kind: GatewayKind) -> TextSender | None:
        if kind is GatewayKind.SIMULATED:
            return self.simulated
        return self._gateways.twilio if kind is GatewayKind.TWILIO else None


def campaign_texts(
    settings: Settings,
    engine: AsyncEngine,
    opt_outs: OptOuts,
    senders: TextSenders,
    clock: Clock,
) -> CampaignTexts:
    """The texting use case of this server."""
    out = settings.outbound
    return CampaignTexts(
        SqlTextStore(engine),
        opt_outs,
        TextTemplates.load(settings.server.timezone),
        senders,
        out.texts.from_number or out.caller_id,
        clock,
        per_round=out.texts.per_round,
    )
