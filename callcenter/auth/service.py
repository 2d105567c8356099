"""Users with passwords (hashed by `Passwords`, off the event loop) and API tokens (random
secrets stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets

from callcenter.auth.models import Principal, User
from callcenter.auth.passwords import Passwords
from callcenter.auth.ports import CredentialStore
from callcenter.core.api import Role
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError

TOKEN_PREFIX = "cc_"


def hash_token(secret: str) -> str:
    """Tokens are long random secrets, so a plain SHA-256 suffices to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AuthService:
    """Creates users and tokens and resolves a bearer token to a principal."""

    def __init__(
        self, store: CredentialStore, clock: Clock, passwords: Passwords | None = None
    ) -> None:
        self._store = store
        self._clock = clock
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

    async def create_token(
        self, role: Role, label: str = "", user_id: int | None = None
    ) -> tuple[int, str]:
        """A new token; the secret is returned once and never stored."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = await self._store.add_token(
            hash_token(secret), role, label, user_id, self._clock.now()
        )
        return token_id, secret

    async def authenticate(self, secret: str) -> Principal | None:
        """The principal behind a bearer token, or None."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
            return None
        return await self._store.principal_for(hash_token(secret))

    async def revoke_token(self, token_id: int) -> bool:
        """Revoke a token by id."""
        return await self._store.revoke_token(token_id, self._clock.now())
