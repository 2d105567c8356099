"""Texts (SMS) of notice campaigns created with `sms`: besides its calls, each target gets
one text with the same facts, in its language, through the campaign's gateway (Twilio
Messages; a ledger on the simulated gateway). The dialer's runtime calls `round` between
its dialing rounds.

Never two texts to one target: a target's text row (unique per campaign and target) is
written before the text goes out, so a crash or a second instance cannot send it again;
a text whose sending failed is recorded, not retried, unless the gateway said nothing was
sent (then the row is dropped and the next round tries again). Opted-out numbers get no
text: the refusal is recorded with its reason like the gate's."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from callcenter.core.clock import Clock
from callcenter.core.phone import mask
from outbound.gateway import GatewayError
from outbound.models import Campaign, CampaignState, GatewayKind, RefusalReason, Target
from outbound.ports import OptOuts
from outbound.texts.models import TextRecord, TextState
from outbound.texts.ports import TextSender, TextStore
from outbound.texts.templates import TEXT_TYPES, TextTemplates

log = logging.getLogger(__name__)
NO_TEXT_GATEWAY = "no-text-gateway"  # the campaign's gateway cannot text (Asterisk)
TEXTING_STATES = frozenset({CampaignState.RUNNING, CampaignState.COMPLETED})


@dataclass(slots=True)
class TextReport:
    """What one round of texts did."""

    sent: int = 0
    refused: int = 0
    failed: int = 0
    later: int = 0  # not sent, tried again next round


class CampaignTexts:
    """The texting use case. `senders` gives the sender of a gateway kind (None: that
    gateway cannot text); `from_number` is the sender shown to the callee."""

    def __init__(
        self,
        store: TextStore,
        opt_outs: OptOuts,
        templates: TextTemplates,
        senders: Callable[[GatewayKind], TextSender | None],
        from_number: str,
        clock: Clock,
        *,
        per_round: int = 50,
    ) -> None:
        self._store = store
        self._opt_outs = opt_outs
        self._templates = templates
        self._senders = senders
        self._from = from_number
        self._clock = clock
        self._per_round = per_round

    @staticmethod
    def wanted_by(campaign: Campaign) -> bool:
        """Does the campaign text its targets (a notice type created with `sms`)?"""
        return campaign.sms and campaign.type in TEXT_TYPES

    async def round(self, campaign: Campaign) -> TextReport:
        """Text the next targets of the campaign that have had no text yet."""
        report = TextReport()
        if not self.wanted_by(campaign) or campaign.state not in TEXTING_STATES:
            return report
        targets = await self._store.unsent(campaign.id, self._per_round)
        if not targets:
            return report
        opted_out = await self._opt_outs.opted_out([t.phone for t in targets])
        sender = self._senders(campaign.gateway)
        for target in targets:
            await self._one(campaign, target, target.phone in opted_out, sender, report)
        return report

    async def _one(
        self,
        campaign: Campaign,
        target: Target,
        opted_out: bool,
        sender: TextSender | None,
        report: TextReport,
    ) -> None:
        body, language = self._templates.render(campaign.type, target.values)
        state = TextState.REFUSED if opted_out else TextState.SENDING
        reason = RefusalReason.OPTED_OUT.value if opted_out else None
        record = TextRecord(campaign.id, target.id, target.phone, language, body, state, reason)
        if not await self._store.claim(record, self._clock.now()) or opted_out:
            report.refused += opted_out
            return
        if sender is None:
            await self._finish(record, TextState.FAILED, reason=NO_TEXT_GATEWAY)
            report.failed += 1
            return
        try:
            sid = await sender.send_sms(target.phone, self._from, body)
        except GatewayError as err:
            await self._failed(record, err, report)
            return
        await self._finish(record, TextState.SENT, provider_id=sid)
        report.sent += 1

    async def _failed(self, record: TextRecord, err: GatewayError, report: TextReport) -> None:
        log.warning(
            "campaign %d: text to %s not sent: %s", record.campaign_id, mask(record.phone), err
        )
        if err.transient:
            await self._store.release(record.campaign_id, record.target_id)
            report.later += 1
            return
        await self._finish(record, TextState.FAILED, reason="gateway-error")
        report.failed += 1

    async def _finish(
        self,
        record: TextRecord,
        state: TextState,
        *,
        reason: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        await self._store.finish(
            record.campaign_id,
            record.target_id,
            state,
            self._clock.now(),
            reason=reason,
            provider_id=provider_id,
        )
