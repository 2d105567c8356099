"""Administration of users and tokens (admins): list, make and revoke tokens, change a
user's role, name or enabled state. Each change is audited, and every instance re-checks its
open sockets at once (a revoked token's socket closes; so does one whose user may no longer)."""

from __future__ import annotations

import logging

from callcenter.auth.models import (
    IssuedToken,
    NoSuchTokenError,
    OwnAccountError,
    TokenInfo,
    User,
    UserChanges,
)
from callcenter.auth.ports import AccessAdminStore
from callcenter.auth.service import AuthService
from callcenter.core.api import Role
from callcenter.core.audit import Editor, Stamp
from callcenter.core.clock import Clock

log = logging.getLogger(__name__)
USER_DISABLED = "user disabled"


class AccessAdmin:
    """Users and tokens for administrators."""

    def __init__(self, auth: AuthService, store: AccessAdminStore, clock: Clock) -> None:
        self._auth = auth
        self._store = store
        self._clock = clock

    async def tokens(
        self, user_id: int | None, live_only: bool, limit: int, offset: int
    ) -> list[TokenInfo]:
        """Tokens newest first (of one user; only live ones)."""
        live_at = self._clock.now() if live_only else None
        return await self._store.tokens(user_id, live_at, limit, offset)

    async def create_token(
        self, role: Role, label: str, days: int | None, editor: Editor
    ) -> IssuedToken:
        """An API token (of no user) with `role`, living `days`."""
        return await self._auth.api_token(role, label, days, editor)

    async def revoke_token(self, token_id: int, reason: str, editor: Editor) -> TokenInfo:
        """Revoke a token (`no-such-token`); revoking a revoked one changes nothing."""
        if await self._store.token(token_id) is None:
            raise NoSuchTokenError(f"no token with id {token_id}")
        await self._auth.revoke_token(token_id, editor, reason)
        found = await self._store.token(token_id)
        assert found is not None
        return found

    async def users(self) -> list[User]:
        """Every user."""
        return await self._store.users()

    async def update_user(self, user_id: int, changes: UserChanges, editor: Editor) -> User:
        """Change a user; disabling revokes their tokens. An admin keeps their own account
        (`own-account`): disabling it or giving up the admin role could lock everyone out."""
        demoting = changes.role is not None and changes.role is not Role.ADMIN
        if user_id == editor.user_id and (changes.disabled or demoting):
            raise OwnAccountError("you may not disable your own account or give up its role")
        reason = USER_DISABLED if changes.disabled else None
        after, revoked = await self._store.update_user(
            user_id, changes, reason, self._stamp(editor)
        )
        log.info("user %d changed by %s (%d tokens revoked)", user_id, editor.role, revoked)
        await self._auth.changed()
        return after

    async def revoke_user_tokens(self, user_id: int, reason: str, editor: Editor) -> int:
        """Revoke every live token of a user; how many."""
        revoked = await self._store.revoke_user_tokens(user_id, reason, self._stamp(editor))
        if revoked:
            await self._auth.changed()
        return revoked

    def _stamp(self, editor: Editor) -> Stamp:
        return Stamp(self._clock.now(), editor)
