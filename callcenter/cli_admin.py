"""Administration on the command line: `agent add|list|set|enable|disable`, the agent
record that `user add --role agent` gives a new agent, and (from `cli_outages`) `outage`.

Changes go straight to the database and a notice goes over Redis, so running servers pick
them up at once (on the embedded `memory://` store, at their next periodic reload).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from agents.admin import rules
from agents.admin.models import AgentChanges, AgentRecord, NewAgent
from agents.admin.service import AgentAdmin, merged_queues
from agents.models import AgentState, Presence
from agents.routing import queue_configs
from callcenter import cli_outages
from callcenter.admin_services import ConfigQueueRules
from callcenter.auth.passwords import Passwords
from callcenter.auth.service import AuthService
from callcenter.config import Settings
from callcenter.core.api import Role
from callcenter.core.audit import CLI_EDITOR, Editor
from callcenter.core.clock import SystemClock
from callcenter.core.errors import ConfigError
from callcenter.state import redis as redis_state
from callcenter.state.acd import RedisRoutingState
from callcenter.state.config_notices import RedisConfigNotices
from callcenter.state.keys import Keys
from callcenter.storage import db, migrate
from callcenter.storage.agent_admin import SqlAgentAdminStore
from callcenter.storage.queue_settings import SqlQueueSettingsStore
from callcenter.storage.users import SqlCredentialStore

Command = Callable[[str, str], argparse.ArgumentParser]
Run = Callable[[Settings, argparse.Namespace], int]
DEFAULT_LANGUAGE = "zh-CN"


class CliRuntime:
    """What agent administration needs of the servers, from the command line: the queues
    in force, presence from Redis, and the notice that makes every server reload (they
    also log out an agent disabled here)."""

    def __init__(
        self, queues: frozenset[str], state: RedisRoutingState, notices: RedisConfigNotices
    ):
        self._queues = queues
        self._state = state
        self._notices = notices

    def queue_names(self) -> frozenset[str]:
        return self._queues

    async def presences(self) -> Mapping[int, Presence]:
        return {}

    async def is_on_call(self, agent_id: int) -> bool:
        presence = (await self._state.presences([agent_id]))[agent_id]
        return presence.state is AgentState.ON_CALL

    async def log_out(self, agent_id: int, editor: Editor) -> None:
        return None  # the servers do it when they reload

    async def changed(self) -> None:
        await self._notices.publish("agents")


@dataclass(frozen=True, slots=True)
class Tools:
    """What a command works with."""

    admin: AgentAdmin
    auth: AuthService
    store: SqlAgentAdminStore
    queues: frozenset[str]


@asynccontextmanager
async def tools(settings: Settings) -> AsyncIterator[Tools]:
    """The database (migrated) and Redis, for one command."""
    engine = db.create_engine(settings.database_url)
    password = settings.redis.password.get_secret_value() if settings.redis.password else None
    client = redis_state.connect(settings.redis.url, password)
    try:
        await db.ping(engine)
        await migrate.upgrade(engine)
        configured = queue_configs(settings.routing.queue_configs())
        stored = await SqlQueueSettingsStore(engine).stored()
        names = frozenset(merged_queues(configured, stored, ConfigQueueRules()))
        keys = Keys(settings.redis.key_prefix)
        runtime = CliRuntime(
            names, RedisRoutingState(client, keys), RedisConfigNotices(client, keys)
        )
        store = SqlAgentAdminStore(engine)
        clock = SystemClock()
        yield Tools(
            AgentAdmin(store, runtime, clock),
            AuthService(
                SqlCredentialStore(engine),
                clock,
                passwords=Passwords(n=settings.security.password_scrypt_n),
            ),
            store,
            names,
        )
    finally:
        await client.aclose()
        await engine.dispose()


def add_commands(command: Command) -> None:
    """The `agent` command (and `outage`, from `cli_outages`) with their options."""
    cli_outages.add_commands(command)
    agent = command("agent", "agents: add, list, set, enable, disable")
    agent.add_argument("action", choices=["add", "list", "set", "enable", "disable"])
    agent.add_argument("username", nargs="?")
    agent.add_argument("--device", help="KIND:ADDRESS (twilio_client, sip, phone, webrtc)")
    agent.add_argument("--skill", action="append", default=[], help="NAME=LEVEL (1-9)")
    agent.add_argument("--lang", action="append", default=[], help="language tag, e.g. zh-CN")
    agent.add_argument("--queue", action="append", default=[], help="NAME or NAME=LEVEL")
    agent.add_argument(
        "--manages",
        nargs="+",
        type=int,
        action="extend",
        metavar="CUSTOMER_ID",
        help="set: the customers it is account manager of (replaces the list)",
    )
    agent.add_argument("--display-name", help="add: for a new user")
    agent.add_argument("--password", help="add: for a new user (default: generated, shown once)")
    agent.add_argument("--json", action="store_true", help="list: as JSON")


def agent_command(settings: Settings, args: argparse.Namespace) -> int:
    """`callcenter agent ...`."""
    if args.action != "list" and not args.username:
        raise ConfigError(f"agent {args.action} needs a USERNAME")
    action = ACTIONS[args.action]
    return asyncio.run(_with_tools(settings, lambda t: action(t, args)))


async def _with_tools(settings: Settings, body: Callable[[Tools], Awaitable[int]]) -> int:
    async with tools(settings) as t:
        return await body(t)


def _skills(args: argparse.Namespace) -> dict[str, int]:
    return rules.level_pairs(args.skill, "--skill", "invalid-skill-level")


def _queues(items: list[str]) -> dict[str, int]:
    return rules.level_pairs(items, "--queue", "invalid-queue-level")


async def _add(t: Tools, args: argparse.Namespace) -> int:
    if not args.device:
        raise ConfigError(
            "agent add needs --device KIND:ADDRESS (twilio_client, sip, phone, webrtc)"
        )
    new = NewAgent(
        args.username,
        rules.parse_device(args.device),
        tuple(args.lang or [DEFAULT_LANGUAGE]),
        _skills(args),
        _queues(args.queue or ["general"]),
    )
    t.admin.check_new(new)  # before a user is created
    if await t.store.user(args.username) is None:
        password = args.password or secrets.token_urlsafe(12)
        user = await t.auth.add_user(args.username, Role.AGENT, password, args.display_name)
        print(f"created user {user.username} (role agent, id {user.id})")
        if not args.password:
            print(f"password (shown once): {password}")
    record = await t.admin.create(new, CLI_EDITOR)
    print(f"agent {record.username} (id {record.agent_id}): {summary(record)}")
    return 0


async def _list(t: Tools, args: argparse.Namespace) -> int:
    records = await t.admin.agents()
    if args.json:
        rows = [
            {"agent_id": r.agent_id, "display_name": r.display_name, **r.as_json()} for r in records
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    header = ("id", "username", "device", "languages", "skills", "queues", "manages", "enabled")
    table = [header] + [
        (
            str(r.agent_id),
            r.username,
            str(r.device),
            ",".join(r.languages),
            _pairs(r.skills),
            _pairs(r.queues),
            ",".join(map(str, r.manages)) or "-",
            "yes" if r.enabled else "no",
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


async def _set(t: Tools, args: argparse.Namespace) -> int:
    changes = AgentChanges(
        device=rules.parse_device(args.device) if args.device else None,
        languages=tuple(args.lang) if args.lang else None,
        skills=_skills(args) if args.skill else None,
        queues=_queues(args.queue) if args.queue else None,
        manages=tuple(args.manages) if args.manages is not None else None,
    )
    if changes == AgentChanges():
        raise ConfigError("agent set: give --device, --skill, --lang, --queue or --manages")
    return await _change(t, args.username, changes)


async def _enable(t: Tools, args: argparse.Namespace) -> int:
    return await _change(t, args.username, AgentChanges(enabled=True))


async def _disable(t: Tools, args: argparse.Namespace) -> int:
    return await _change(t, args.username, AgentChanges(enabled=False))


async def _change(t: Tools, username: str, changes: AgentChanges) -> int:
    current = await t.admin.by_username(username)
    record = await t.admin.update(current.agent_id, changes, CLI_EDITOR)
    print(f"agent {record.username} (id {record.agent_id}): {summary(record)}")
    return 0


ACTIONS: dict[str, Callable[[Tools, argparse.Namespace], Awaitable[int]]] = {
    "add": _add,
    "list": _list,
    "set": _set,
    "enable": _enable,
    "disable": _disable,
}


def _pairs(levels: Mapping[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(levels.items())) or "-"


def summary(record: AgentRecord) -> str:
    """One line: device, languages, skills, queues, managed customers, enabled."""
    manages = ",".join(map(str, record.manages)) or "none"
    state = "enabled" if record.enabled else "DISABLED"
    return (
        f"{record.device}, languages {','.join(record.languages)}, skills {_pairs(record.skills)}, "
        f"queues {_pairs(record.queues)}, manages {manages}, {state}"
    )


async def default_agent(settings: Settings, username: str) -> None:
    """The agent record `user add --role agent` gives: device `twilio_client:<username>`,
    zh-CN, queue general (the first configured queue when there is no general) level 1."""
    async with tools(settings) as t:
        queue = "general" if "general" in t.queues else min(t.queues)
        device = rules.device("twilio_client", username)
        record = await t.admin.create(
            NewAgent(username, device, (DEFAULT_LANGUAGE,), {}, {queue: 1}), CLI_EDITOR
        )
        print(f"agent record: {summary(record)}")


COMMANDS: dict[str, Run] = {"agent": agent_command, **cli_outages.COMMANDS}
