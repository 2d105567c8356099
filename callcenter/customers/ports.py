"""What the profile service needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.customers.models import (
    Account,
    ActiveOutage,
    CallBrief,
    Customer,
    TicketBrief,
    UnpaidBill,
)


class CustomerDirectory(Protocol):
    """Read access to customers and what hangs off them."""

    async def accounts_by_phone(self, phone: str) -> list[Account]:
        """Accounts a normalised phone number is registered to."""

    async def account_by_number(self, account_no: str) -> Account | None:
        """The account with that number."""

    async def profile_data(
        self, accounts: Sequence[Account], now: datetime, recent_calls: int
    ) -> tuple[
        list[Customer], list[UnpaidBill], list[ActiveOutage], list[TicketBrief], list[CallBrief]
    ]:
        """Customers of `accounts`, their unpaid bills, active outages on their feeders,
        open tickets and latest calls."""
