"""The campaign block of an outbound screen-pop: which campaign, why this call (per language),
the agent's script, the target's values and the attempt number. The desk shows it above the
target's profile when a campaign call is offered; a preview record shows the same block
before dialing (`CampaignPops.campaign_pop(attempt_key)`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outbound import scripts
from outbound.desk.models import AttemptFacts, AttemptKey, NoSuchAttemptError
from outbound.desk.ports import AttemptFactsReader


@dataclass(frozen=True, slots=True)
class CampaignPop:
    """The campaign block of the pop."""

    campaign_id: int
    name: str
    type: str
    mode: str
    attempt: str
    attempt_no: int
    reason: dict[str, str]
    script: dict[str, str]
    values: dict[str, str]
    customer_id: int
    account_id: int
    account_no: str | None

    def to_json(self) -> dict[str, Any]:
        """What the desk receives under the pop's `campaign`."""
        return {
            "id": self.campaign_id,
            "name": self.name,
            "type": self.type,
            "mode": self.mode,
            "attempt": self.attempt,
            "attempt_no": self.attempt_no,
            "reason": dict(self.reason),
            "script": dict(self.script),
            "values": dict(self.values),
            "customer_id": self.customer_id,
            "account_id": self.account_id,
            "account_no": self.account_no,
        }


def campaign_pop_of(facts: AttemptFacts) -> CampaignPop:
    """The block for one attempt (pure)."""
    campaign, target = facts.campaign, facts.target
    return CampaignPop(
        campaign_id=campaign.id,
        name=campaign.name,
        type=campaign.type.value,
        mode=campaign.mode.value,
        attempt=str(facts.key),
        attempt_no=facts.attempt.attempt_no,
        reason=scripts.reason(campaign.type, target.values),
        script=scripts.script(campaign.type),
        values=dict(target.values),
        customer_id=target.customer_id,
        account_id=target.account_id,
        account_no=target.values.get("account_no"),
    )


class CampaignPops:
    """Builds the campaign block from the stores."""

    def __init__(self, reader: AttemptFactsReader) -> None:
        self._reader = reader

    async def block(self, attempt_key: str) -> CampaignPop:
        """The block of the attempt `attempt_key` (`no-such-attempt`, 404)."""
        facts = await self._reader.attempt_facts(AttemptKey.parse(attempt_key))
        if facts is None:
            raise NoSuchAttemptError(f"no attempt {attempt_key}")
        return campaign_pop_of(facts)

    async def campaign_pop(self, attempt_key: str) -> dict[str, Any]:
        """The block as JSON (for the offer's pop and for preview records)."""
        return (await self.block(attempt_key)).to_json()
