"""Sign-in for people (the desk, the wallboard): a password gives a bearer token."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from callcenter.auth.service import AuthService
from callcenter.auth.sign_in import SignIn
from callcenter.core.api import endpoint
from callcenter.core.audit import Editor
from callcenter.httpkit import PRINCIPAL, client_address, editor_of, parse_body, respond

LOGIN_PATH = "/api/auth/login"


class LoginIn(BaseModel):
    """A username and password."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    """A bearer token for this session (until `expires_at`) and who it belongs to."""

    token: str
    expires_at: datetime
    user_id: int
    username: str
    display_name: str
    role: str


class SignedOut(BaseModel):
    """The token is revoked."""

    revoked: bool


class AuthHttp:
    """`POST /api/auth/login` (no token needed) and `POST /api/auth/logout`."""

    def __init__(self, service: AuthService, sign_in: SignIn) -> None:
        self._service = service
        self._sign_in = sign_in

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_post(LOGIN_PATH, self.sign_in)
        app.router.add_post("/api/auth/logout", self.sign_out)

    @endpoint(
        "Sign in with a password: a bearer token",
        body=LoginIn,
        response=LoginOut,
        errors=("invalid-body", "bad-credentials", "too-many-attempts"),
        tag="auth",
    )
    async def sign_in(self, request: web.Request) -> web.Response:
        body = await parse_body(LoginIn, request)
        address = client_address(request)
        user = await self._sign_in.sign_in(body.username, body.password, address)
        by = Editor(user.role.value, user.id, address)
        issued = await self._service.sign_in_token(user, by)  # audited: the token's sign-in
        return respond(
            LoginOut(
                token=issued.secret,
                expires_at=issued.expires_at,
                user_id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=user.role.value,
            )
        )

    @endpoint("Sign out: revoke this token (audited)", response=SignedOut, tag="auth")
    async def sign_out(self, request: web.Request) -> web.Response:
        principal = request[PRINCIPAL]
        by = editor_of(request)
        return respond(SignedOut(revoked=await self._service.sign_out(principal, by)))
