"""Caller profiles read during a call's IVR, kept for that call's later look-ups (issue 17).

The first look-up of a call reads the profile from the database; the bill, outage and ticket
look-ups after it use the copy, so a call reads its profile once, and keeps being served
when the database stops answering after it was identified. Per process and bounded: the
least recently used calls are dropped past `max_calls`, a copy is not used once it is older
than `ttl` (a bill paid or an outage declared meanwhile is heard from a fresh read) and is
let go at the next keep, and a call's copies are dropped when it leaves the IVR for an agent
or opens a ticket (its open tickets change).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from callcenter.core.clock import Clock
from callcenter.customers.models import ProfileLookup

TTL = timedelta(minutes=5)
MAX_CALLS = 10_000


@dataclass(frozen=True, slots=True)
class _Kept:
    read_at: datetime
    found: ProfileLookup


def phone_key(phone: str) -> str:
    """The cache key of a look-up by (normalised) phone number."""
    return f"phone:{phone}"


def account_key(account_no: str) -> str:
    """The cache key of a look-up by (normalised) account number."""
    return f"account:{account_no}"


class ProfileCache:
    """Profile look-ups by call, least recently used calls dropped first."""

    def __init__(self, clock: Clock, ttl: timedelta = TTL, max_calls: int = MAX_CALLS) -> None:
        if max_calls < 1 or ttl <= timedelta(0):
            raise ValueError("a profile cache needs max_calls >= 1 and a positive ttl")
        self._clock = clock
        self._ttl = ttl
        self._max_calls = max_calls
        self._calls: OrderedDict[str, dict[str, _Kept]] = OrderedDict()

    def __len__(self) -> int:
        """How many calls have copies."""
        return len(self._calls)

    def get(self, call_id: str, key: str) -> ProfileLookup | None:
        """The call's copy under `key`, when it is younger than the TTL."""
        kept = self._calls.get(call_id)
        entry = kept.get(key) if kept is not None else None
        if kept is None or entry is None:
            return None
        self._calls.move_to_end(call_id)
        if self._clock.now() - entry.read_at > self._ttl:
            del kept[key]
            return None
        return entry.found

    def put(self, call_id: str, key: str, found: ProfileLookup) -> None:
        """Keep a look-up just read; each account it holds is kept too, under its number,
        as a look-up by that account would answer (its customer with that account only)."""
        now = self._clock.now()
        kept = self._calls.setdefault(call_id, {})
        self._calls.move_to_end(call_id)
        kept[key] = _Kept(now, found)
        for profile in found.profiles:
            for account in profile.accounts:
                number = account.account.account_no
                single = replace(profile, accounts=(account,))
                kept[account_key(number)] = _Kept(now, ProfileLookup(None, number, (single,)))
        while len(self._calls) > self._max_calls:
            self._calls.popitem(last=False)
        self._expire(now)

    def _expire(self, now: datetime) -> None:
        """Let go of the least recently used calls whose copies are all past the TTL (calls
        that hung up in the IVR), up to the first one still fresh."""
        while self._calls:
            call_id, kept = next(iter(self._calls.items()))
            if any(now - entry.read_at <= self._ttl for entry in kept.values()):
                return
            del self._calls[call_id]

    def drop(self, call_id: str) -> None:
        """Forget the call's copies (it left the IVR)."""
        self._calls.pop(call_id, None)
