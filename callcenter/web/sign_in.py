"""Sign-in's composition (issue 18): the password pool, the attempt counters on the app's
Redis, the sign-in and logout routes and the admin's unlock."""

from __future__ import annotations

from aiohttp import web

from callcenter.auth.http import AuthHttp
from callcenter.auth.passwords import Passwords
from callcenter.auth.sign_in import SignIn, SignInLimits, Unlocks
from callcenter.auth.unlock_http import UnlockHttp
from callcenter.core.clock import Clock
from callcenter.state.keys import Keys
from callcenter.state.sign_in_attempts import RedisAttemptCounter
from callcenter.storage.sign_ins import SqlSignInStore
from callcenter.web.keys import AUTH, ENGINE, REDIS, SETTINGS


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
    app.cleanup_ctx.append(passwords.running)
