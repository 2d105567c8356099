"""What the ACD needs from the rest of the system (composition level): call events and
whether a call has ended (the call record), the screen-pop (assembled from the customer
profiles and the call record), and the telephony bridge of the provider each call came in on."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agents.models import CallerLine, RoutedCall
from agents.pop import (
    PopAccount,
    PopCall,
    PopCustomer,
    PopKey,
    PopManager,
    PopOutage,
    PopServicePoint,
    PopTicket,
    ScreenPop,
)
from agents.ports import AgentInfo, Bridge
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.errors import CallcenterError
from callcenter.customers.models import (
    AccountProfile,
    CustomerProfile,
    ProfileLookup,
    TicketBrief,
    credit_rating,
)
from callcenter.customers.service import ProfileService
from callcenter.tickets.urges import URGE
from outbound.campaign_pop import CampaignPop, CampaignPops

log = logging.getLogger(__name__)
E = CallEventType


class AcdCallEvents:
    """Implements `agents.ports.CallEvents` on the call service."""

    def __init__(self, calls: CallService) -> None:
        self._calls = calls

    async def record_event(self, call_id: str, type: str, data: Mapping[str, Any]) -> None:
        try:
            await self._calls.record(call_id, CallEventType(type), dict(data))
        except CallcenterError as err:  # a call unknown to the record must not stop routing
            log.warning("call %s: %s not recorded: %s", call_id, type, err.message)

    async def has_ended(self, call_id: str) -> bool:
        try:
            return (await self._calls.get(call_id)).is_over
        except CallcenterError:
            return False


class ProfilePops:
    """Implements `agents.ports.ScreenPops`: the caller's profile (accounts, address, class
    and grade, manager, credit, balance, arrears and late fee to date, open tickets, last
    calls, outages), the IVR path and keys, queue and wait."""

    def __init__(
        self, profiles: ProfileService, calls: CallService, campaigns: CampaignPops | None = None
    ) -> None:
        self._profiles = profiles
        self._calls = calls
        self._campaigns = campaigns

    async def build(self, call_id: str, call: RoutedCall) -> ScreenPop:
        detail = await self._calls.detail(call_id)
        record = detail.record
        campaign = await self._campaign(call)
        line = call.line if campaign is None else _target_line(call.line, campaign)
        found = await self._lookup(line, record.from_number)
        customers: tuple[PopCustomer, ...] = ()
        if found is not None:
            wanted = line.customer_id
            chosen = [
                p for p in found.profiles if wanted is None or p.customer.id == wanted
            ] or list(found.profiles)
            urged = frozenset(t.ticket_id for t in detail.tickets if t.relation == URGE)
            customers = tuple(pop_customer(p, urged) for p in chosen)
        return ScreenPop(
            call_id=call_id,
            caller=record.from_number,
            queue=call.queue,
            queued_at=record.queued_at,
            callback=call.callback,
            transferred_by=call.transferred_by,
            ivr_path=tuple(record.ivr_path),
            keyed=tuple(_keyed(e.data) for e in detail.events if e.type is E.DIGITS_RECEIVED),
            customers=customers,
            as_of=self._profiles.today(),
            campaign=None if campaign is None else campaign.to_json(),
        )

    async def _campaign(self, call: RoutedCall) -> CampaignPop | None:
        """A campaign call's block (desk: the outbound pop); None for other calls."""
        if call.attempt is None or self._campaigns is None:
            return None
        try:
            return await self._campaigns.block(call.attempt)
        except CallcenterError as err:
            log.warning("attempt %s: no campaign pop: %s", call.attempt, err.message)
            return None

    async def _lookup(self, line: CallerLine, caller: str) -> ProfileLookup | None:
        try:
            if line.account_no:
                return await self._profiles.by_account(line.account_no)
            return await self._profiles.by_phone(caller)
        except CallcenterError:
            return None


def _target_line(line: CallerLine, campaign: CampaignPop) -> CallerLine:
    """A campaign call's profile is its target's (customer and account)."""
    return replace(
        line,
        account_no=campaign.account_no or line.account_no,
        customer_id=campaign.customer_id,
        account_id=campaign.account_id,
    )


def _keyed(data: Mapping[str, Any]) -> PopKey:
    node, digits, speech = (data.get(k) for k in ("node", "digits", "speech"))
    return PopKey(
        str(node) if node is not None else None,
        str(digits) if digits is not None else None,
        str(speech) if speech is not None else None,
    )


def pop_customer(profile: CustomerProfile, urged: frozenset[int] = frozenset()) -> PopCustomer:
    """A customer profile as the screen-pop holds it; the tickets in `urged` are urged by
    the call (催办): the pop says which call about each this is."""
    customer = profile.customer
    manager = customer.account_manager
    return PopCustomer(
        id=customer.id,
        name=customer.name,
        customer_class=customer.customer_class.value,
        important_grade=customer.important_grade.value if customer.important_grade else None,
        account_manager=PopManager(manager.user_id, manager.name) if manager else None,
        vulnerable=tuple(sorted(f.value for f in customer.vulnerable)),
        accounts=tuple(_pop_account(a) for a in profile.accounts),
        open_tickets=tuple(_pop_ticket(t, urged) for t in profile.open_tickets),
        recent_calls=tuple(
            PopCall(c.id, c.started_at, c.direction, c.state, c.disposition, c.agent_id)
            for c in profile.recent_calls
        ),
    )


def _pop_ticket(t: TicketBrief, urged: frozenset[int]) -> PopTicket:
    call_no = t.urge_count + 1 if t.id in urged else None  # this call is the latest urge
    return PopTicket(
        t.id, t.number, t.type, t.status, t.created_at, t.due_at, t.summary,
        t.urge_count, t.sla_state, call_no,
    )  # fmt: skip


def _pop_account(item: AccountProfile) -> PopAccount:
    account, point = item.account, item.account.service_point
    return PopAccount(
        account_no=account.account_no,
        tariff_class=account.tariff_class,
        payment_mode=account.payment_mode.value,
        prepaid_balance=account.prepaid_balance,
        credit_score=account.credit_score,
        credit_rating=credit_rating(account.credit_score),
        status=account.status.value,
        service_point=PopServicePoint(
            point.id, point.address, point.district, point.feeder, point.area_class.value
        ),
        arrears=item.arrears,
        outages=tuple(
            PopOutage(
                o.id, o.kind, o.status, o.area, o.cause, o.start_at, o.estimated_restoration_at
            )
            for o in item.outages
        ),
        id=account.id,
    )


class BridgeByProvider:
    """Implements `agents.ports.Bridge`: each offer goes to the adapter of the provider the
    call came in on (`provider` in the call's routing data), Twilio when it is not known."""

    def __init__(self, bridges: Mapping[str, Bridge], default: str) -> None:
        self._bridges = dict(bridges)
        self._default = bridges[default]

    def _for(self, call: RoutedCall) -> Bridge:
        return self._bridges.get(call.line.provider, self._default)

    async def connect(self, call_id: str, call: RoutedCall, agent: AgentInfo) -> bool:
        return await self._for(call).connect(call_id, call, agent)

    async def withdraw(self, call_id: str, call: RoutedCall) -> None:
        await self._for(call).withdraw(call_id, call)

    async def hang_up(self, call_id: str, call: RoutedCall) -> None:
        await self._for(call).hang_up(call_id, call)

    async def interrupt(self, call_id: str, call: RoutedCall) -> None:
        await self._for(call).interrupt(call_id, call)

    async def is_live(self, call: RoutedCall) -> bool | None:
        return await self._for(call).is_live(call)
