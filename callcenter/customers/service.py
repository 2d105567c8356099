"""Caller profile look-up by phone or account number, with arrears and late fee to date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from callcenter.core.clock import Clock
from callcenter.core.latefee import OverdueBill, late_fee
from callcenter.core.phone import normalise_account, normalise_phone
from callcenter.core.policy import PolicyPack
from callcenter.customers.models import (
    Account,
    AccountProfile,
    CustomerProfile,
    NoSuchCustomerError,
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
        accounts = await self._directory.accounts_by_phone(phone)
        if not accounts:
            raise NoSuchCustomerError(f"no customer has the number {raw!r}")
        return ProfileLookup(phone, None, await self._profiles(accounts))

    async def by_account(self, raw: str) -> ProfileLookup:
        """The profile of the account numbered `raw`."""
        account_no = normalise_account(raw)
        account = await self._directory.account_by_number(account_no)
        if account is None:
            raise NoSuchCustomerError(f"no account numbered {account_no}")
        return ProfileLookup(None, account_no, await self._profiles([account]))

    def today(self) -> date:
        """The local date at the utility (late fees count local days)."""
        return self._clock.now().astimezone(self._zone).date()

    async def _profiles(self, accounts: Sequence[Account]) -> tuple[CustomerProfile, ...]:
        now = self._clock.now()
        today = now.astimezone(self._zone).date()
        customers, bills, outages, tickets, calls = await self._directory.profile_data(
            accounts, now, RECENT_CALLS
        )
        bills_by_account: dict[int, list[UnpaidBill]] = defaultdict(list)
        for bill in bills:
            bills_by_account[bill.account_id].append(bill)
        profiles = []
        for customer in customers:
            own = []
            for account in (a for a in accounts if a.customer_id == customer.id):
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
                feeder = account.service_point.feeder
                at_point = tuple(o for o in outages if o.feeder == feeder)
                own.append(AccountProfile(account, fee, at_point))
            profiles.append(
                CustomerProfile(
                    customer,
                    tuple(own),
                    tuple(t for t in tickets if t.customer_id == customer.id),
                    tuple(c for c in calls if c.customer_id == customer.id),
                )
            )
        return tuple(profiles)
