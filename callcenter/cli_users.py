"""The `user` commands (add; unlock an account that wrong passwords locked, issue 18) and the
`token` commands (create with an expiry, revoke with a reason)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from collections.abc import Awaitable, Callable

from callcenter import cli_admin
from callcenter.auth.models import parse_role
from callcenter.auth.passwords import Passwords
from callcenter.auth.service import AuthService
from callcenter.auth.sign_in import Unlocks
from callcenter.cli_admin import Command, Run
from callcenter.config import Settings
from callcenter.core.api import Role
from callcenter.core.audit import CLI_EDITOR
from callcenter.core.clock import SystemClock
from callcenter.core.errors import ConfigError
from callcenter.state import redis as redis_state
from callcenter.state.keys import Keys
from callcenter.storage import db, migrate
from callcenter.storage.sign_ins import SqlSignInStore
from callcenter.storage.users import SqlCredentialStore
from callcenter.web.sign_in import token_lifetimes
from callcenter.web.socket_auth import auth_notices


def unlock(settings: Settings, name: str) -> int:
    """Unlock the user named `name` and reset their failures (audited, by `cli`)."""

    async def run() -> str:
        engine = db.create_engine(settings.database_url)
        try:
            await db.ping(engine)
            await migrate.upgrade(engine)
            done = await Unlocks(SqlSignInStore(engine), SystemClock()).unlock_named(
                name, CLI_EDITOR
            )
        finally:
            await engine.dispose()
        return f"unlocked {name}" if done.was_locked else f"{name} was not locked"

    print(asyncio.run(run()))
    return 0


def add_commands(command: Command) -> None:
    """The `user` and `token` commands."""
    user = command("user", "users")
    user.add_argument("action", choices=["add", "unlock"])
    user.add_argument("name")
    user.add_argument("--role", help="add: agent, supervisor, operator or admin")
    user.add_argument("--display-name")
    user.add_argument("--password", help="default: ask, or generate one when not a terminal")
    token = command("token", "API tokens")
    token.add_argument("action", choices=["create", "revoke"])
    token.add_argument("--role")
    token.add_argument("--label", default="")
    token.add_argument("--id", type=int, help="token id, for revoke")
    token.add_argument("--days", type=int, help="create: days it lives (security.api_token_days)")
    token.add_argument("--reason", default="revoked from the command line", help="revoke: why")


def auth_command(settings: Settings, body: Callable[[AuthService], Awaitable[int]]) -> int:
    async def run() -> int:
        engine = db.create_engine(settings.database_url)
        secret = settings.redis.password
        password = secret.get_secret_value() if secret is not None else None
        redis = redis_state.connect(settings.redis.url, password)
        notices = auth_notices(redis, Keys(settings.redis.key_prefix))  # servers re-check
        lifetimes = token_lifetimes(settings.security)
        try:
            await db.ping(engine)
            await migrate.upgrade(engine)
            store = SqlCredentialStore(engine)
            passwords = Passwords(n=settings.security.password_scrypt_n)
            return await body(AuthService(store, SystemClock(), lifetimes, notices, passwords))
        finally:
            await redis.aclose()
            await engine.dispose()

    return asyncio.run(run())


def user_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "unlock":  # issue 18
        return unlock(settings, args.name)
    if args.role is None:
        raise ConfigError("user add needs --role (agent, supervisor, operator, admin)")
    role = parse_role(args.role)
    password = args.password
    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = getpass.getpass(f"password for {args.name}: ")
        else:
            password, generated = secrets.token_urlsafe(12), True

    async def body(auth: AuthService) -> int:
        user = await auth.add_user(args.name, role, password, args.display_name)
        print(f"created {user.role} {user.username} (id {user.id})")
        if generated:
            print(f"password (shown once): {password}")
        if role is Role.AGENT:  # with an agent record, so the new agent can work at once
            await cli_admin.default_agent(settings, user.username)
        return 0

    return auth_command(settings, body)


def token_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "revoke":
        if args.id is None:
            raise ConfigError("token revoke needs --id")

        async def revoke(auth: AuthService) -> int:
            if not await auth.revoke_token(args.id, CLI_EDITOR, args.reason):
                print(f"callcenter: no live token with id {args.id}", file=sys.stderr)
                return 1
            print(f"revoked token {args.id}")
            return 0

        return auth_command(settings, revoke)
    if args.role is None:
        raise ConfigError("token create needs --role (agent, supervisor, operator, admin)")
    role = parse_role(args.role)

    async def create(auth: AuthService) -> int:
        issued = await auth.api_token(role, args.label, args.days, CLI_EDITOR)
        expires = issued.expires_at.isoformat(timespec="seconds")
        print(f"token {issued.token_id} ({role}, expires {expires}); the secret is shown only now:")
        print(issued.secret)
        return 0

    return auth_command(settings, create)


COMMANDS: dict[str, Run] = {"user": user_command, "token": token_command}
