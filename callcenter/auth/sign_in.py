"""Signing in with a password: attempts limited per username and per address (a success
gives its attempt back, so the agents behind one NAT address can all sign in at a shift's
start), the same scrypt work and the same answer whatever is wrong (no user-enumeration
oracle), wrong passwords in a row locking the account until an admin unlocks it; every
outcome audited."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from callcenter.auth.models import (
    Account,
    BadCredentialsError,
    NoSuchUserError,
    Rehash,
    SignInRefusal,
    TooManyAttemptsError,
    Unlocked,
    User,
)
from callcenter.auth.passwords import Passwords
from callcenter.auth.ports import AttemptCounter, SignInStore
from callcenter.core.audit import Editor, Stamp
from callcenter.core.clock import Clock

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
ANONYMOUS = "anonymous"  # the audit's actor of an attempt that did not sign in
COUNTED = frozenset({SignInRefusal.UNKNOWN_USER, SignInRefusal.BAD_PASSWORD})  # toward the lockout


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Attempts allowed per minute for one username and from one address, and the wrong
    passwords in a row that lock an account."""

    per_username: int
    per_address: int
    lockout: int


def window(at: datetime) -> tuple[int, int]:
    """The fixed one-minute window `at` falls in: its number, and the whole seconds until
    it ends (at least 1)."""
    seconds = at.timestamp()
    number = int(seconds // WINDOW_SECONDS)
    return number, max(1, math.ceil((number + 1) * WINDOW_SECONDS - seconds))


def username_key(username: str) -> str:
    """The name attempts are counted under: neither case nor spaces around it make a new one."""
    return username.strip().casefold()


def refusal_of(account: Account | None, matches: bool) -> SignInRefusal | None:
    """Why a sign-in is refused, or None when it succeeds."""
    if account is None:
        return SignInRefusal.UNKNOWN_USER
    if account.locked:
        return SignInRefusal.LOCKED
    if account.user.disabled:
        return SignInRefusal.DISABLED
    return None if matches else SignInRefusal.BAD_PASSWORD


class SignIn:
    """The sign-in use case."""

    def __init__(
        self,
        accounts: SignInStore,
        attempts: AttemptCounter,
        passwords: Passwords,
        clock: Clock,
        limits: SignInLimits,
    ) -> None:
        self._accounts = accounts
        self._attempts = attempts
        self._passwords = passwords
        self._clock = clock
        self._limits = limits

    async def sign_in(self, username: str, password: str, address: str) -> User:
        """The user, when the password is right and they may sign in; else
        `bad-credentials` (401) whatever the reason, or `too-many-attempts` (429)."""
        now = self._clock.now()
        number = await self._throttle(username, address, now)
        account = await self._accounts.account(username)
        stored = self._passwords.dummy if account is None else account.password_hash
        matches = await self._passwords.verify(password, stored)
        refusal = refusal_of(account, matches)
        if refusal is None and account is not None:
            user = account.user
            editor = Editor(user.role.value, user.id, address)
            rehash = await self._rehash(password, stored)
            if await self._accounts.signed_in(user, Stamp(now, editor), rehash):
                await self._attempts.give_back(username_key(username), address, number)
                return user
        anonymous = Stamp(now, Editor(ANONYMOUS, None, address))
        refusal = refusal or SignInRefusal.LOCKED  # locked between the lookup and the sign-in
        lockout = self._limits.lockout if refusal in COUNTED else None
        user_id = None if account is None else account.user.id
        if await self._accounts.refused(username, user_id, refusal, lockout, anonymous):
            log.warning("user %r locked after %d wrong passwords in a row", username, lockout)
        raise BadCredentialsError

    async def _rehash(self, password: str, stored: str) -> Rehash | None:
        """A hash of the right password with the configured work factor, when the stored
        one was made with another."""
        if not self._passwords.outdated(stored):
            return None
        return Rehash(stored, await self._passwords.hash(password), self._passwords.n)

    async def _throttle(self, username: str, address: str, now: datetime) -> int:
        """Count the attempt in its window (returned); `too-many-attempts` when it passes a
        limit, the first one over a limit in a window audited (a flood would fill the log)."""
        number, retry_after = window(now)
        counts = await self._attempts.count(username_key(username), address, number)
        limits = (self._limits.per_username, self._limits.per_address)
        passed = [
            (name, count - limit)
            for name, count, limit in zip(("username", "address"), counts, limits, strict=True)
            if count > limit
        ]
        if not passed:
            return number
        for name, over in passed:
            if over == 1:
                stamp = Stamp(now, Editor(ANONYMOUS, None, address))
                await self._accounts.throttled(username, name, stamp)
        raise TooManyAttemptsError(
            f"too many sign-in attempts; try again in {retry_after} s", retry_after
        )


class Unlocks:
    """An admin unlocks an account that wrong passwords locked."""

    def __init__(self, accounts: SignInStore, clock: Clock) -> None:
        self._accounts = accounts
        self._clock = clock

    async def unlock(self, user_id: int, editor: Editor) -> Unlocked:
        """Unlock the user and reset their failures (`no-such-user`, 404)."""
        unlocked = await self._accounts.unlock(user_id, Stamp(self._clock.now(), editor))
        if unlocked is None:
            raise NoSuchUserError(f"no user {user_id}")
        return unlocked

    async def unlock_named(self, username: str, editor: Editor) -> Unlocked:
        """Unlock the user named `username` (`no-such-user`, 404)."""
        account = await self._accounts.account(username)
        if account is None:
            raise NoSuchUserError(f"no user named {username!r}")
        return await self.unlock(account.user.id, editor)
