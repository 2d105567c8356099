"""Users with passwords (hashed by `Passwords`, off the event loop) and API tokens (random
secrets stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from datetime import timedelta

from callcenter.auth.models import (
    AccountDisabledError,
    IssuedToken,
    Principal,
    TokenExpiredError,
    TokenLifetimes,
    User,
)
from callcenter.auth.passwords import Passwords
from callcenter.auth.ports import AuthNotices, CredentialStore
from callcenter.core.api import Role
from callcenter.core.audit import Editor, Stamp
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError, UnauthorizedError
from callcenter.core.grants import Grant, Refusal

TOKEN_PREFIX = "cc_"
SYSTEM_EDITOR = Editor("system")


def hash_token(secret: str) -> str:
    """Tokens are long random secrets, so a plain SHA-256 suffices to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AuthService:
    """Creates users and tokens, resolves a bearer token to a principal, revokes tokens; every
    token made or revoked is audited, and every instance hears of a revocation at once."""

    def __init__(
        self,
        store: CredentialStore,
        clock: Clock,
        lifetimes: TokenLifetimes | None = None,
        notices: AuthNotices | None = None,
        passwords: Passwords | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.lifetimes = lifetimes or TokenLifetimes()
        self._notices = notices
        self._passwords = passwords or Passwords()

    async def add_user(
        self, username: str, role: Role, password: str, display_name: str | None = None
    ) -> User:
        """Create a user with a password."""
        name = username.strip()
        if not name or len(name) > 64 or not name.replace(".", "").replace("_", "").isalnum():
            raise InvalidInputError(
                f"a username is 1-64 letters, digits, '.' or '_': {username!r}",
                code="invalid-username",
            )
        if len(password) < 8:
            raise InvalidInputError("a password has at least 8 characters", code="weak-password")
        hashed = await self._passwords.hash(password)
        return await self._store.add_user(
            name, display_name or name, role, hashed, self._clock.now()
        )

    async def sign_in_token(self, user: User, editor: Editor) -> IssuedToken:
        """A token for a password sign-in: it follows the user, and expires after
        `security.sign_in_token_minutes`; audited as `sign-in`."""
        lifetime = timedelta(minutes=self.lifetimes.sign_in_minutes)
        return await self._issue(user.role, "sign-in", user.id, lifetime, editor, "sign-in")

    async def api_token(
        self, role: Role, label: str, days: int | None, editor: Editor, user_id: int | None = None
    ) -> IssuedToken:
        """An API token living `days` (`security.api_token_days` when None; at most
        `api_token_max_days`, else `invalid-token-days`); audited as `create`."""
        lifetime = self.lifetimes.api_lifetime(days)
        return await self._issue(role, label, user_id, lifetime, editor, "create")

    async def create_token(
        self, role: Role, label: str = "", user_id: int | None = None, *, days: int | None = None
    ) -> tuple[int, str]:
        """`api_token` made by the system (seeding, tests): its id and secret."""
        issued = await self.api_token(role, label, days, SYSTEM_EDITOR, user_id)
        return issued.token_id, issued.secret

    async def _issue(
        self,
        role: Role,
        label: str,
        user_id: int | None,
        lifetime: timedelta,
        editor: Editor,
        action: str,
    ) -> IssuedToken:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        stamp = Stamp(self._clock.now(), editor)
        expires_at = stamp.at + lifetime
        token_id = await self._store.add_token(
            hash_token(secret), role, label, user_id, expires_at, stamp, action
        )
        return IssuedToken(token_id, secret, expires_at)

    async def check(self, secret: str) -> Principal:
        """The principal behind a bearer token: `unauthorized` (unknown or revoked),
        `token-expired` or `account-disabled` (all 401) otherwise. One query."""
        grant = None
        if secret.startswith(TOKEN_PREFIX) and len(secret) <= 128:
            grant = await self._store.grant(hash_token(secret))
        refusal = Refusal.REVOKED if grant is None else grant.refusal(self._clock.now())
        if refusal is Refusal.EXPIRED:
            raise TokenExpiredError("the token has expired; sign in again or make a new one")
        if refusal is Refusal.DISABLED:
            raise AccountDisabledError("this account is disabled; an admin can enable it again")
        if refusal is not None or grant is None:
            raise UnauthorizedError("the token is unknown or revoked")
        return grant.principal

    async def authenticate(self, secret: str) -> Principal | None:
        """The principal behind a bearer token, or None (whatever the reason)."""
        try:
            return await self.check(secret)
        except UnauthorizedError:
            return None

    async def grants(self, token_ids: Collection[int]) -> Mapping[int, Grant]:
        """What each token grants now (the sockets' re-check)."""
        return await self._store.grants(token_ids) if token_ids else {}

    async def revoke_token(
        self,
        token_id: int,
        editor: Editor = SYSTEM_EDITOR,
        reason: str = "revoked",
        action: str = "revoke",
    ) -> bool:
        """Revoke a token by id (audited); its open sockets on every instance are closed."""
        revoked = await self._store.revoke_token(
            token_id, reason, Stamp(self._clock.now(), editor), action
        )
        if revoked:
            await self.changed()
        return revoked

    async def sign_out(self, principal: Principal, editor: Editor) -> bool:
        """Revoke the token of this request (audited as `sign-out`)."""
        if principal.token_id is None:
            return False
        return await self.revoke_token(principal.token_id, editor, "sign-out", "sign-out")

    async def changed(self) -> None:
        """Tell every instance that tokens or users changed: their sockets are re-checked."""
        if self._notices is not None:
            await self._notices.publish("tokens-or-users")
