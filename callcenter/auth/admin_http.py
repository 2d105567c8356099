"""Thin handlers of user and token administration (admins): `/api/tokens`, `/api/users`."""

from __future__ import annotations

from aiohttp import web

from callcenter.auth.admin import AccessAdmin
from callcenter.auth.models import UserChanges
from callcenter.auth.schemas import (
    RevokedOut,
    RevokeQuery,
    TokenCreatedOut,
    TokenCreateIn,
    TokenListOut,
    TokenOut,
    TokensQuery,
    UserListOut,
    UserOut,
    UserPatchIn,
)
from callcenter.core.api import Role, endpoint
from callcenter.httpkit import (
    editor_of,
    parse_body,
    parse_query,
    path_int,
    respond,
    to_model,
)

ADMIN = frozenset({Role.ADMIN})


class AccessAdminHttp:
    """Routes of user and token administration."""

    def __init__(self, admin: AccessAdmin) -> None:
        self._admin = admin

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        r = app.router
        r.add_get("/api/tokens", self.list_tokens)
        r.add_post("/api/tokens", self.create_token)
        r.add_delete("/api/tokens/{token_id}", self.revoke_token)
        r.add_get("/api/users", self.list_users)
        r.add_patch("/api/users/{user_id}", self.change_user)
        r.add_post("/api/users/{user_id}/revoke-tokens", self.revoke_user_tokens)

    @endpoint(
        "Tokens, newest first (never their secrets)",
        roles=ADMIN,
        query=TokensQuery,
        response=TokenListOut,
        errors=("invalid-query",),
        tag="auth",
    )
    async def list_tokens(self, request: web.Request) -> web.Response:
        query = parse_query(TokensQuery, request.query)
        found = await self._admin.tokens(query.user_id, query.live, query.limit, query.offset)
        return respond(TokenListOut(tokens=[to_model(TokenOut, t) for t in found]))

    @endpoint(
        "Make an API token (of no user): the secret is shown only in this answer",
        roles=ADMIN,
        body=TokenCreateIn,
        response=TokenCreatedOut,
        errors=("invalid-body", "invalid-token-days"),
        tag="auth",
    )
    async def create_token(self, request: web.Request) -> web.Response:
        body = await parse_body(TokenCreateIn, request)
        issued = await self._admin.create_token(
            body.role, body.label, body.days, editor_of(request)
        )
        out = TokenCreatedOut(
            id=issued.token_id,
            secret=issued.secret,
            role=body.role,
            label=body.label,
            expires_at=issued.expires_at,
        )
        return respond(out, status=201)

    @endpoint(
        "Revoke a token (`?reason=`): its open sockets close at once, on every instance",
        roles=ADMIN,
        query=RevokeQuery,
        response=TokenOut,
        errors=("invalid-id", "invalid-query", "no-such-token"),
        tag="auth",
    )
    async def revoke_token(self, request: web.Request) -> web.Response:
        token_id = path_int(request, "token_id")
        query = parse_query(RevokeQuery, request.query)
        revoked = await self._admin.revoke_token(token_id, query.reason, editor_of(request))
        return respond(to_model(TokenOut, revoked))

    @endpoint("Every user", roles=ADMIN, response=UserListOut, tag="auth")
    async def list_users(self, request: web.Request) -> web.Response:
        found = await self._admin.users()
        return respond(UserListOut(users=[to_model(UserOut, u) for u in found]))

    @endpoint(
        "Change a user's role, name or enabled state; in force at once (disabling revokes "
        "the user's tokens; their sockets close)",
        roles=ADMIN,
        body=UserPatchIn,
        response=UserOut,
        errors=("invalid-id", "invalid-body", "no-such-user", "own-account"),
        tag="auth",
    )
    async def change_user(self, request: web.Request) -> web.Response:
        user_id = path_int(request, "user_id")
        body = await parse_body(UserPatchIn, request)
        changes = UserChanges(body.role, body.disabled, body.display_name)
        changed = await self._admin.update_user(user_id, changes, editor_of(request))
        return respond(to_model(UserOut, changed))

    @endpoint(
        "Revoke every live token of a user (`?reason=`); their sockets close at once",
        roles=ADMIN,
        query=RevokeQuery,
        response=RevokedOut,
        errors=("invalid-id", "invalid-query", "no-such-user"),
        tag="auth",
    )
    async def revoke_user_tokens(self, request: web.Request) -> web.Response:
        user_id = path_int(request, "user_id")
        query = parse_query(RevokeQuery, request.query)
        revoked = await self._admin.revoke_user_tokens(user_id, query.reason, editor_of(request))
        return respond(RevokedOut(revoked=revoked))
