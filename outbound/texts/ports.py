"""What texting needs: the store of texts and a sender (SMS-capable gateway)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from outbound.models import Target
from outbound.texts.models import TextRecord, TextState


class TextStore(Protocol):
    """The texts of campaigns, one per target."""

    async def unsent(self, campaign_id: int, limit: int) -> list[Target]:
        """Up to `limit` targets of the campaign without a text row, lowest id first."""

    async def claim(self, record: TextRecord, now: datetime) -> bool:
        """Store the target's text row; False (nothing written) when it has one already."""

    async def finish(
        self,
        campaign_id: int,
        target_id: int,
        state: TextState,
        now: datetime,
        *,
        reason: str | None = None,
        provider_id: str | None = None,
    ) -> None:
        """A claimed text was sent, or failed with `reason`."""

    async def release(self, campaign_id: int, target_id: int) -> None:
        """Drop a claimed text the gateway did not send, for the next round."""

    async def texts(self, campaign_id: int) -> list[TextRecord]:
        """The campaign's texts, in target order."""


class TextSender(Protocol):
    """Sends one text; its provider id. Raises `GatewayError` (transient: nothing sent)."""

    async def send_sms(self, to: str, from_: str, body: str) -> str: ...
