"""Sign-in's composition (issue 18): the auth service with its token lifetimes and notices,
the sockets' guard, the password pool, the attempt counters on the app's Redis, the sign-in
and logout routes, the admin's unlock and the users' and tokens' administration."""

from __future__ import annotations

from aiohttp import web

from callcenter.auth.admin import AccessAdmin
from callcenter.auth.admin_http import AccessAdminHttp
from callcenter.auth.http import AuthHttp
from callcenter.auth.models import TokenLifetimes
from callcenter.auth.passwords import Passwords
from callcenter.auth.service import AuthService
from callcenter.auth.sign_in import SignIn, SignInLimits, Unlocks
from callcenter.auth.unlock_http import UnlockHttp
from callcenter.config_security import SecuritySettings
from callcenter.core.clock import Clock
from callcenter.core.socket_guard import SocketGuard
from callcenter.state.keys import Keys
from callcenter.state.sign_in_attempts import RedisAttemptCounter
from callcenter.storage.access_admin import SqlAccessAdminStore
from callcenter.storage.sign_ins import SqlSignInStore
from callcenter.storage.users import SqlCredentialStore
from callcenter.web.keys import AUTH, ENGINE, REDIS, SETTINGS, SOCKETS
from callcenter.web.socket_auth import auth_notices


def token_lifetimes(security: SecuritySettings) -> TokenLifetimes:
    """How long tokens live, from `[security]`."""
    return TokenLifetimes(
        security.sign_in_token_minutes, security.api_token_days, security.api_token_max_days
    )


def auth_service(app: web.Application, clock: Clock, passwords: Passwords) -> AuthService:
    """The auth service on the app's database and Redis (`[security]` lifetimes); the open
    sockets' guard beside it (`SOCKETS`)."""
    settings = app[SETTINGS]
    lifetimes = token_lifetimes(settings.security)
    notices = auth_notices(app[REDIS], Keys(settings.redis.key_prefix))
    auth = AuthService(SqlCredentialStore(app[ENGINE]), clock, lifetimes, notices, passwords)
    app[SOCKETS] = SocketGuard(auth.grants, clock)
    return auth


def setup_sign_in(app: web.Application, clock: Clock, passwords: Passwords) -> None:
    """Mount `/api/auth/login`, `/api/auth/logout` and `/api/users/{id}/unlock`; the
    password pool closes with the app."""
    settings = app[SETTINGS]
    security = settings.security
    limits = SignInLimits(
        security.sign_in_per_minute_username,
        security.sign_in_per_minute_address,
        security.lockout_failures,
    )
    accounts = SqlSignInStore(app[ENGINE])
    attempts = RedisAttemptCounter(app[REDIS], Keys(settings.redis.key_prefix))
    AuthHttp(app[AUTH], SignIn(accounts, attempts, passwords, clock, limits)).setup(app)
    UnlockHttp(Unlocks(accounts, clock)).setup(app)
    AccessAdminHttp(AccessAdmin(app[AUTH], SqlAccessAdminStore(app[ENGINE]), clock)).setup(app)
    app.cleanup_ctx.append(passwords.running)
