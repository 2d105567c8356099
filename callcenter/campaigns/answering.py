"""Campaign calls on the line, written once for every provider: the callee answered (the
call enters its campaign type's message flow with the target's values and the
answering-machine verdict), and the call ended (the attempt's result from the provider's
status and the flow's `outcome`, then the dialer's result use case)."""

from __future__ import annotations

import logging
from typing import Any

from agents.models import CallerLine
from callcenter.calls.models import CallEventType, CallState
from callcenter.calls.service import CallService
from callcenter.campaigns.assisted import AssistedCalls
from callcenter.campaigns.callbacks import CallbackCalls, is_callback_key
from callcenter.campaigns.gateways import GatewayNotConfiguredError
from callcenter.campaigns.runtime import Outbound
from callcenter.core.phone import mask
from callcenter.core.policy import OutboundRules
from ivr_flows.commands import IvrReply
from ivr_flows.service import IvrService
from outbound.assisted import queue_of
from outbound.dialer import Dialer
from outbound.dialer_parts import campaign_of
from outbound.message_values import CUT_TYPES, message_values
from outbound.models import AttemptResult, Campaign, CampaignMode, NoSuchCampaignError, Target
from outbound.outcomes import call_result

log = logging.getLogger(__name__)
AGENT_FLOW = "outbound-agent"  # the identification, then the agent (or the abandon message)
DEFAULT_LANGUAGE = "zh-CN"


def verdict(answered_by: str) -> str:
    """`human`, `machine` or `unknown` from a provider's verdict (Twilio `human`,
    `machine_start`, `machine_end_beep`, `fax`, `unknown`; Asterisk `HUMAN`, `MACHINE`,
    `NOTSURE`, `OFF` when detection did not run: a person is assumed)."""
    value = answered_by.strip().lower()
    if value in ("human", "off", ""):
        return "human"
    if value.startswith("machine") or value == "fax":
        return "machine"
    return "unknown"


class CampaignCallService:
    """`callcenter.telephony.ports.CampaignCalls` on the outbound runtime, the call records
    and the IVR."""

    def __init__(
        self,
        outbound: Outbound,
        calls: CallService,
        ivr: IvrService,
        rules: OutboundRules,
        timezone: str,
        assisted: AssistedCalls | None = None,
        callbacks: CallbackCalls | None = None,
    ) -> None:
        self._assisted = assisted
        self._callbacks = callbacks
        self._rules = rules
        self._timezone = timezone
        self._outbound = outbound
        self._calls = calls
        self._ivr = ivr

    async def _dialer(self, key: str) -> Dialer | None:
        campaign_id = campaign_of(key)
        if campaign_id is None:
            log.warning("campaign call with a malformed attempt key %r", key)
            return None
        try:
            return await self._outbound.dialer(campaign_id)
        except (NoSuchCampaignError, GatewayNotConfiguredError) as err:
            log.warning("campaign call for attempt %r: %s", key, err)
            return None

    async def answered(
        self, key: str, provider: str, provider_id: str, answered_by: str
    ) -> IvrReply | None:
        if is_callback_key(key):
            return (
                await self._callbacks.answered(key, provider, provider_id)
                if self._callbacks
                else None
            )
        dialer = await self._dialer(key)
        found = await dialer.connected(key, provider_id) if dialer else None
        if found is None or found[0].call_id is None:
            log.warning("answered campaign call %s for unknown attempt %r", provider_id, key)
            return None
        attempt, target = found
        call_id = attempt.call_id
        assert call_id is not None
        campaign = (await self._outbound.campaigns.get(attempt.campaign_id)).campaign
        flow, who = campaign.type.value, verdict(answered_by)
        record = await self._calls.get(call_id)
        if record.state is CallState.RINGING:
            entered = {"flow": flow, "answered_by": who}
            await self._calls.record(call_id, CallEventType.IVR_ENTERED, entered)
        sequence = None
        if campaign.type in CUT_TYPES:
            sequence = await self._outbound.stores.arrears.get(target.account_id)
        values = message_values(
            campaign.type,
            target.values,
            self._rules,
            sequence,
            self._timezone,
            record.started_at,
        )
        variables = {
            **values,
            "lang": values.get("lang", DEFAULT_LANGUAGE),
            "answered_by": who,
            "call_id": call_id,
            "caller": target.phone,
            "provider": provider,
            "provider_call": provider_id,
            "vulnerable": target.vulnerable,
        }
        log.info("campaign call %s to %s answered (%s)", call_id, mask(target.phone), who)
        agents = await self._with_agents(campaign, key, call_id, target, variables)
        return await self._ivr.start(call_id, variables | agents, flow=agents.get("flow", flow))

    async def _with_agents(
        self, campaign: Campaign, key: str, call_id: str, target: Target, v: dict[str, Any]
    ) -> dict[str, Any]:
        """The flow's variables for agents: press-1 puts the callee in the campaign's queue
        with its priority; an agent-assisted call goes to its agent (`outbound-agent`), or
        is abandoned with the identification message; a machine releases the agent."""
        if campaign.mode is CampaignMode.AUTOMATED or self._assisted is None:
            return {}
        routing = {"campaign_queue": queue_of(campaign), "campaign_priority": campaign.priority}
        if campaign.mode is CampaignMode.PRESS_1:
            return routing | {"press1": True}
        if v["answered_by"] == "machine":
            await self._assisted.acd.seats.release(call_id, "machine")
            return {}
        line = CallerLine.of(v | {"customer_id": target.customer_id})
        agent = await self._assisted.answered(campaign, call_id, target, line, key)
        return routing | {
            "flow": AGENT_FLOW,
            "attempt": key,
            "agent_reserved": agent is not None,
            "customer_id": target.customer_id,
            "account_id": target.account_id,
        }

    async def ended(self, key: str, provider_id: str, status: AttemptResult) -> None:
        if is_callback_key(key):
            if self._callbacks is not None:
                await self._callbacks.finished(key, status)
            return
        dialer = await self._dialer(key)
        found = await dialer.connected(key, provider_id) if dialer else None
        if found is None:
            log.warning("end of campaign call %s for unknown attempt %r", provider_id, key)
            return
        outcome = started_at = None
        call_id = found[0].call_id
        if call_id is not None:
            started_at = (await self._calls.get(call_id)).started_at
        if status is AttemptResult.ANSWERED and call_id is not None:
            outcome = (await self._ivr.status(call_id)).outcome
        result = call_result(status, outcome)
        await self._outbound.finish(key, result, provider_id, started_at)
