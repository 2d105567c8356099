"""Sign-in for people (the desk, the wallboard): a password gives a bearer token."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from callcenter.auth.service import AuthService
from callcenter.auth.sign_in import SignIn
from callcenter.core.api import endpoint
from callcenter.httpkit import PRINCIPAL, client_address, parse_body, respond

LOGIN_PATH = "/api/auth/login"


class LoginIn(BaseModel):
    """A username and password."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    """A bearer token for this session and who it belongs to."""

    token: str
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
        user = await self._sign_in.sign_in(body.username, body.password, client_address(request))
        _, token = await self._service.create_token(user.role, "sign-in", user.id)
        return respond(
            LoginOut(
                token=token,
                user_id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=user.role.value,
            )
        )

    @endpoint("Sign out: revoke this token", response=SignedOut, tag="auth")
    async def sign_out(self, request: web.Request) -> web.Response:
        token_id = request[PRINCIPAL].token_id
        revoked = await self._service.revoke_token(token_id) if token_id is not None else False
        return respond(SignedOut(revoked=revoked))
