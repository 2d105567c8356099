"""`POST /api/users/{user_id}/unlock`: an admin unlocks an account that wrong passwords
locked."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from callcenter.auth.sign_in import Unlocks
from callcenter.core.api import Role, endpoint
from callcenter.httpkit import editor_of, path_int, respond

ADMIN = frozenset({Role.ADMIN})


class UnlockOut(BaseModel):
    """The user, unlocked, and whether they were locked (else only their failures reset)."""

    user_id: int
    username: str
    was_locked: bool


class UnlockHttp:
    """The unlock route."""

    def __init__(self, unlocks: Unlocks) -> None:
        self._unlocks = unlocks

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_post("/api/users/{user_id}/unlock", self.unlock_user)

    @endpoint(
        "Unlock a user that wrong passwords locked (and reset their count of failures)",
        roles=ADMIN,
        response=UnlockOut,
        errors=("invalid-id", "no-such-user"),
        tag="auth",
    )
    async def unlock_user(self, request: web.Request) -> web.Response:
        editor = editor_of(request)
        done = await self._unlocks.unlock(path_int(request, "user_id"), editor)
        user = done.user
        return respond(
            UnlockOut(user_id=user.id, username=user.username, was_locked=done.was_locked)
        )
