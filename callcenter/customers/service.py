"""Caller profile look-up by phone or account number, with arrears and late fee to date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from callcenter.core.clock import Clock
from callcenter.core.latefee import OverdueBill, late_fee
from callcenter.core.phone import normalise_account, normalise_phone
from callcenter.core.policy import PolicyPack
from callcenter.customers.models import (
    Account,
    AccountProfile,
    ActiveOutage,
    CustomerProfile,
    NoSuchCustomerError,
    ProfileData,
    ProfileLookup,
    UnpaidBill,
)
from callcenter.customers.ports import CustomerDirectory

RECENT_CALLS = 5


class ProfileService:
    """Assembles `CustomerProfile`s for the IVR, the screen-pop and the API."""

    def __init__(
        self, directory: CustomerDirectory, clock: Clock, pack: PolicyPack, timezone: str
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._pack = pack
        self._zone = ZoneInfo(timezone)

    async def by_phone(self, raw: str) -> ProfileLookup:
        """Profiles of every account registered to the number `raw` (any common format)."""
        phone = normalise_phone(raw)
        data = await self._directory.profile_by_phone(phone, RECENT_CALLS)
        if data is None:
            raise NoSuchCustomerError(f"no customer has the number {raw!r}")
        return ProfileLookup(phone, None, self._profiles(data))

    async def by_account(self, raw: str) -> ProfileLookup:
        """The profile of the account numbered `raw`."""
        account_no = normalise_account(raw)
        data = await self._directory.profile_by_account(account_no, RECENT_CALLS)
        if data is None:
            raise NoSuchCustomerError(f"no account numbered {account_no}")
        return ProfileLookup(None, account_no, self._profiles(data))

    def today(self) -> date:
        """The local date at the utility (late fees count local days)."""
        return self._clock.now().astimezone(self._zone).date()

    def _outages_at(
        self, account: Account, data: ProfileData, now: datetime
    ) -> tuple[ActiveOutage, ...]:
        """Open outages cutting the account's service point, each once; a scheduled outage
        whose start has come (by `now`) counts as active."""
        if not data.outages:
            return ()
        found: dict[int, ActiveOutage] = {}
        for outage in data.outages:
            if outage.id not in found and outage.cuts(account.service_point):
                started = outage.status == "scheduled" and outage.start_at <= now
                found[outage.id] = replace(outage, status="active") if started else outage
        return tuple(found.values())

    def _profiles(self, data: ProfileData) -> tuple[CustomerProfile, ...]:
        now = self._clock.now()  # one reading for the whole profile
        today = now.astimezone(self._zone).date()
        bills_by_account: dict[int, list[UnpaidBill]] = defaultdict(list)
        for bill in data.unpaid_bills:
            bills_by_account[bill.account_id].append(bill)
        profiles = []
        for customer in data.customers:
            own = []
            for account in (a for a in data.accounts if a.customer_id == customer.id):
                overdue = [
                    OverdueBill(b.period, b.due_date, b.amount - b.paid_amount)
                    for b in bills_by_account[account.id]
                ]
                fee = late_fee(
                    overdue,
                    residential=customer.residential,
                    today=today,
                    rules=self._pack.late_fee,
                )
                own.append(AccountProfile(account, fee, self._outages_at(account, data, now)))
            profiles.append(
                CustomerProfile(
                    customer,
                    tuple(own),
                    tuple(t for t in data.open_tickets if t.customer_id == customer.id),
                    tuple(c for c in data.recent_calls if c.customer_id == customer.id),
                )
            )
        return tuple(profiles)
