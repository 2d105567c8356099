"""The IVR's services, wired from the customer, ticket, call and ACD services: look-ups,
tickets, queueing with the identified caller's routing, and the call record."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from agents.center import Acd
from agents.models import CallerLine, Priority, QueueRequest
from callcenter.callflow.profile_cache import ProfileCache, account_key, phone_key
from callcenter.calls.models import CallEventType
from callcenter.calls.service import CallService
from callcenter.core.clock import Clock, SystemClock
from callcenter.core.errors import InvalidInputError, NotFoundError
from callcenter.core.phone import normalise_account, normalise_phone
from callcenter.customers.models import AccountProfile, CustomerProfile, ProfileLookup
from callcenter.customers.service import ProfileService
from callcenter.storage.journal import database_unavailable
from callcenter.tickets.models import IVR_ACTOR, NewTicket, TicketChannel, TicketType
from callcenter.tickets.service import TicketService
from callcenter.tickets.urges import TicketUrges, Urge, urged_band
from ivr_flows import commands as c
from ivr_flows.events import LookupAnswered, LookupStatus
from ivr_flows.models import LookupKind

log = logging.getLogger(__name__)
E = CallEventType
L = LookupKind
NOT_FOUND = LookupAnswered(LookupStatus.NOT_FOUND)
UNAVAILABLE = LookupAnswered(LookupStatus.UNAVAILABLE)
# A look-up normally answers in milliseconds; one that has not after this long (a database
# that hangs rather than refuses) is `unavailable`, well within Twilio's 15 s webhook timeout.
LOOKUP_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class CallerRouting:
    """What the identified caller brings to routing, whatever path they took through the
    IVR: important users and big customers (an account manager) are urgent and go to their
    manager first; vulnerable callers come next."""

    priority: Priority = Priority.NORMAL
    account_manager: int | None = None

    @classmethod
    def of(cls, variables: Mapping[str, Any]) -> CallerRouting:
        """From the session's identification values."""
        manager = variables.get("account_manager_id")
        if variables.get("important_grade") or manager:
            priority = Priority.IMPORTANT
        elif variables.get("vulnerable"):
            priority = Priority.VULNERABLE
        else:
            priority = Priority.NORMAL
        return cls(priority, int(manager) if manager else None)


def _customer_values(profile: CustomerProfile, account: AccountProfile) -> dict[str, Any]:
    customer = profile.customer
    manager = customer.account_manager
    return {
        "account_no": account.account.account_no,
        "account_id": account.account.id,
        "service_point_id": account.account.service_point.id,
        "customer_id": customer.id,
        "customer_name": customer.name,
        "important_grade": customer.important_grade.value if customer.important_grade else None,
        "account_manager_id": manager.user_id if manager else None,
        "vulnerable": bool(customer.vulnerable),
        "payment_mode": account.account.payment_mode.value,
    }


def _campaign_routing(
    variables: Mapping[str, Any], queue: str, priority: Priority
) -> tuple[str, Priority]:
    """A campaign callee asking for an agent goes to the campaign's queue, at the campaign's
    priority when that is higher (press-1 and agent-assisted campaigns)."""
    if "campaign_queue" not in variables:
        return queue, priority
    try:
        wanted = Priority.parse(variables.get("campaign_priority") or 0)
    except (KeyError, ValueError):
        wanted = priority
    return str(variables["campaign_queue"]), min(priority, wanted)


def _call_event(record: c.IvrRecord) -> list[tuple[CallEventType, dict[str, Any]]]:
    if isinstance(record, c.NodeEntered):
        return [(E.IVR_STEP, {"node": record.node, "flow": record.flow})]
    if isinstance(record, c.InputTaken):
        if record.survey is not None:
            return [(E.SURVEY_ANSWERED, {"score": record.survey})]
        data: dict[str, Any] = {"node": record.node, "digits": record.digits}
        data |= {"speech": record.speech, "exhausted": record.exhausted or None}
        return [(E.DIGITS_RECEIVED, {k: v for k, v in data.items() if v is not None})]
    if isinstance(record, c.LookupMade):
        made = (E.LOOKUP_MADE, {"lookup": record.kind.value, "status": record.status})
        if record.customer_id is None:
            return [made]
        ids = {"customer_id": record.customer_id, "account_id": record.account_id}
        return [made, (E.CUSTOMER_IDENTIFIED, ids)]
    if isinstance(record, c.TicketLinked):
        return [(E.TICKET_LINKED, {"number": record.number})]
    queued = {"queue": record.queue, "priority": record.priority, "skills": list(record.skills)}
    return [(E.QUEUED, queued | {"preferred_agent": record.preferred_agent})]


class IvrServicesAdapter:
    """Implements `ivr_flows.ports.IvrServices`."""

    # 催办: the pack's `urge_priority_boost` (set by `callcenter.callflow.urges.setup_urges`)
    urge_priority_boost: int = 1

    def __init__(
        self,
        profiles: ProfileService,
        tickets: TicketService,
        calls: CallService,
        timezone: str,
        acd: Acd | None = None,
        preferred_wait_seconds: int = 30,
        *,
        clock: Clock | None = None,
        unavailable: Callable[[BaseException], bool] = database_unavailable,
        lookup_timeout: float = LOOKUP_TIMEOUT,
    ) -> None:
        self._profiles = profiles
        self._cache = ProfileCache(clock or SystemClock())  # issue 17: read once per call
        self._unavailable = unavailable
        self._lookup_timeout = lookup_timeout
        self._store_down = False  # a look-up failed for it: warn once, until one succeeds
        self._tickets = tickets
        self._calls = calls
        self._zone = ZoneInfo(timezone)
        self._acd = acd
        self._preferred_wait = preferred_wait_seconds
        self._urges = TicketUrges(tickets)

    async def enqueue(
        self, call_id: str, command: c.Enqueue, variables: Mapping[str, Any]
    ) -> c.Queued | None:
        self._cache.drop(call_id)  # the IVR's look-ups are over: the agent reads afresh
        if self._acd is None:
            return None
        caller = CallerRouting.of(variables)
        try:
            priority = min(Priority.parse(command.priority or 0), caller.priority)
        except (KeyError, ValueError):
            priority = caller.priority
        preferred = command.preferred_agent or caller.account_manager
        queue, priority = _campaign_routing(variables, command.queue, priority)
        if variables.get("urges"):  # the caller urges open tickets (催办)
            priority = Priority(urged_band(priority, self.urge_priority_boost))
        request = QueueRequest(
            call_id,
            queue,
            priority,
            command.skills,
            command.language,
            preferred,
            self._preferred_wait,
            CallerLine.of(variables),
            attempt=variables.get("attempt") or None,
        )
        try:
            await self._acd.enqueue(request)
        except (InvalidInputError, ValueError) as err:
            log.error("call %s could not be queued for %r: %s", call_id, command.queue, err)
            return None
        return c.Queued(command.queue, int(priority), command.skills, preferred)

    async def lookup(self, call_id: str, command: c.Lookup) -> LookupAnswered:
        """From the call's profile copy or the database; `unavailable` when the database
        cannot answer (refused, lost, or no answer within the look-up timeout)."""
        try:
            async with asyncio.timeout(self._lookup_timeout):
                answer = await self._lookup(call_id, command)
        except (NotFoundError, InvalidInputError):
            answer = NOT_FOUND
        except Exception as err:
            if not self._unavailable(err):
                raise
            self._down(call_id, command, err)
            return UNAVAILABLE
        return answer

    def _down(self, call_id: str, command: c.Lookup, err: Exception) -> None:
        """A look-up the store cannot answer: warned once per outage, then quietly."""
        if self._store_down:
            log.debug("call %s: %s look-up unavailable: %r", call_id, command.kind, err)
            return
        self._store_down = True
        log.warning(
            "database unavailable: IVR look-ups answer 'unavailable' (call %s, %s look-up): %r",
            call_id,
            command.kind,
            err,
        )

    def _up(self) -> None:
        """A profile read from the database again: the next failure is warned again."""
        if self._store_down:
            self._store_down = False
            log.info("database answers IVR look-ups again")

    async def _profile(
        self, call_id: str, key: str, read: Callable[[str], Awaitable[ProfileLookup]], raw: str
    ) -> ProfileLookup:
        """The call's copy under `key`, or `read(raw)` kept for its later look-ups."""
        found = self._cache.get(call_id, key)
        if found is None:
            found = await read(raw)
            self._cache.put(call_id, key, found)
            self._up()
        return found

    async def _lookup(self, call_id: str, command: c.Lookup) -> LookupAnswered:
        if command.kind is L.CALLER:
            phone = command.phone or ""
            key = phone_key(normalise_phone(phone))
            found = await self._profile(call_id, key, self._profiles.by_phone, phone)
            return await self._identified(call_id, found)
        account_no = command.account_no
        if not account_no:
            return NOT_FOUND
        key = account_key(normalise_account(account_no))
        found = await self._profile(call_id, key, self._profiles.by_account, account_no)
        if command.kind is L.ACCOUNT:
            return await self._identified(call_id, found)
        profile = found.profiles[0]
        account = profile.accounts[0]
        if command.kind is L.BILL:
            return LookupAnswered(LookupStatus.FOUND, self._bill(account))
        if command.kind is L.OUTAGE:
            return self._outage(account)
        if command.kind is L.TICKETS:
            return LookupAnswered(LookupStatus.FOUND, {"open_tickets": len(profile.open_tickets)})
        await self._calls.record(
            call_id, E.NOTE_ADDED, {"kind": "notify_on_restore", "account_no": account_no}
        )
        return LookupAnswered(LookupStatus.FOUND)

    async def _identified(self, call_id: str, found: ProfileLookup) -> LookupAnswered:
        """The caller identified: a single customer's open tickets are urged by the call
        (`urges` in the answer's values, for the queue priority)."""
        answer = self._identify(found)
        if answer.status is not LookupStatus.FOUND:
            return answer
        tickets = [t.id for p in found.profiles for t in p.open_tickets]
        urges = await self._urge(call_id, tickets) if tickets else ()
        if not urges:
            return answer
        values = dict(answer.values) | {"urges": [u.to_json() for u in urges]}
        return LookupAnswered(answer.status, values)

    async def _urge(self, call_id: str, tickets: list[int]) -> tuple[Urge, ...]:
        """The call's urges; none when the store cannot take them (the caller identified
        from the call's profile copy is still served)."""
        try:
            return await self._urges.urge(call_id, tickets)
        except Exception as err:
            if not self._unavailable(err):
                raise
            log.warning("call %s: open tickets not urged, database unavailable: %r", call_id, err)
            return ()

    @staticmethod
    def _identify(found: ProfileLookup) -> LookupAnswered:
        pairs = [(p, a) for p in found.profiles for a in p.accounts]
        if len(pairs) > 1:
            accounts = [{"account_no": a.account.account_no} for _, a in pairs]
            return LookupAnswered(LookupStatus.MANY, {"accounts": accounts})
        return LookupAnswered(LookupStatus.FOUND, _customer_values(*pairs[0]))

    @staticmethod
    def _bill(account: AccountProfile) -> dict[str, Any]:
        balance = account.account.prepaid_balance
        return {
            "payment_mode": account.account.payment_mode.value,
            "balance": str(balance) if balance is not None else None,
            "arrears": str(account.arrears.arrears),
            "late_fee": str(account.arrears.fee),
            "total_due": str(account.arrears.total_due),
        }

    def _outage(self, account: AccountProfile) -> LookupAnswered:
        active = [o for o in account.outages if o.status == "active"]
        if not active:
            return NOT_FOUND
        outage = active[0]
        restore = outage.estimated_restoration_at
        return LookupAnswered(
            LookupStatus.FOUND,
            {
                "outage_id": outage.id,
                "outage_kind": outage.kind,
                "outage_area": outage.area,
                "outage_cause": outage.cause,
                "outage_start": outage.start_at.astimezone(self._zone).isoformat(),
                "outage_restore": restore.astimezone(self._zone).isoformat() if restore else None,
            },
        )

    async def open_ticket(self, call_id: str, command: c.OpenTicket) -> str:
        self._cache.drop(call_id)  # the profile's open tickets change: read it afresh
        opened = await self._tickets.report(
            NewTicket(
                type=TicketType(command.ticket_type),
                summary=command.summary or "IVR",
                created_by="ivr",
                customer_id=command.customer_id,
                account_id=command.account_id,
                service_point_id=command.service_point_id,
                call_id=call_id,
                channel=TicketChannel.IVR,  # issue 15: repeat fault reports attach
                actor=IVR_ACTOR,
            )
        )
        return opened.ticket.number

    async def record(self, call_id: str, records: Sequence[c.IvrRecord]) -> None:
        events = [event for record in records for event in _call_event(record)]
        await self._calls.record_many(call_id, events)
