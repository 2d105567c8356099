"""What the profile service needs from storage."""

from __future__ import annotations

from typing import Protocol

from callcenter.customers.models import Account, ProfileData


class CustomerDirectory(Protocol):
    """Read access to customers and what hangs off them."""

    async def accounts_by_phone(self, phone: str) -> tuple[Account, ...]:
        """Just the accounts a normalised phone number is registered to (caller identification)."""

    async def profile_by_phone(self, phone: str, recent_calls: int) -> ProfileData | None:
        """Accounts a normalised phone number is registered to, their customers, unpaid bills,
        active outages on their feeders, open tickets and latest calls; None when none."""

    async def profile_by_account(self, account_no: str, recent_calls: int) -> ProfileData | None:
        """The same for one account number."""
