"""Agent and queue administration: check (pure rules), store with an audit entry, then make
every instance pick the change up at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agents.admin import rules
from agents.admin.models import (
    AgentChanges,
    AgentOnCallError,
    AgentRecord,
    NewAgent,
    NoSuchAdminAgentError,
    NoSuchUserError,
    QueueExistsError,
    StoredQueue,
    UnknownQueueError,
    WrongRoleError,
)
from agents.admin.ports import AcdRuntime, AgentAdminStore, QueueRules, QueueSettingsStore
from agents.models import QueueConfig
from agents.routing import queue_configs
from callcenter.core.audit import Editor, Stamp, before_after
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError

log = logging.getLogger(__name__)
AGENT_ROLE = "agent"


class AgentAdmin:
    """Create and change agents (admin); each change audited and picked up at once."""

    def __init__(self, store: AgentAdminStore, runtime: AcdRuntime, clock: Clock) -> None:
        self._store = store
        self._runtime = runtime
        self._clock = clock

    async def agents(self) -> list[AgentRecord]:
        """Every agent, enabled or not."""
        return await self._store.agents()

    async def agent(self, agent_id: int) -> AgentRecord:
        """One agent, or `no-such-agent`."""
        found = await self._store.agent(agent_id)
        if found is None:
            raise NoSuchAdminAgentError(f"no agent with id {agent_id}")
        return found

    async def by_username(self, username: str) -> AgentRecord:
        """The agent record of a user, or `no-such-user` / `no-such-agent`."""
        user = await self._store.user(username)
        if user is None:
            raise NoSuchUserError(f"no user named {username!r}")
        found = await self._store.agent(user.user_id)
        if found is None:
            raise NoSuchAdminAgentError(
                f"user {username!r} has no agent record; add one with `callcenter agent add`"
            )
        return found

    def check_new(self, new: NewAgent) -> NewAgent:
        """Every part of a new agent checked (before anything is stored)."""
        return rules.checked_new(new, self._runtime.queue_names())

    async def create(self, new: NewAgent, editor: Editor) -> AgentRecord:
        """The agent record of an existing user whose role is agent."""
        new = self.check_new(new)
        user = await self._store.user(new.username)
        if user is None:
            raise NoSuchUserError(f"no user named {new.username!r}")
        if user.role != AGENT_ROLE:
            raise WrongRoleError(
                f"user {user.username!r} has the role {user.role}; agents are users with the "
                "role agent"
            )
        created = await self._store.create(user, new, self._stamp(editor))
        log.info("agent %s (%d) created by %s", user.username, user.user_id, editor.role)
        await self._runtime.changed()
        return created

    async def update(self, agent_id: int, changes: AgentChanges, editor: Editor) -> AgentRecord:
        """Apply a partial update; disabling logs the agent out (not while on a call)."""
        changes = rules.checked_changes(changes, self._runtime.queue_names())
        current = await self.agent(agent_id)
        disabling = changes.enabled is False and current.enabled
        if disabling and await self._runtime.is_on_call(agent_id):
            raise AgentOnCallError(
                f"agent {current.username!r} is on a call; disable it once the call is over"
            )
        _, after = await self._store.update(agent_id, changes, self._stamp(editor))
        if disabling:
            await self._runtime.log_out(agent_id, editor)
        await self._runtime.changed()
        log.info("agent %s (%d) changed by %s", after.username, agent_id, editor.role)
        return after

    def _stamp(self, editor: Editor) -> Stamp:
        return Stamp(self._clock.now(), editor)


def merged_queues(
    configured: Mapping[str, QueueConfig], stored: Iterable[StoredQueue], queue_rules: QueueRules
) -> dict[str, QueueConfig]:
    """The queues to route with: configured, overridden or added by stored settings (a
    stored queue that no longer fits the configuration is skipped, and logged)."""
    result = dict(configured)
    for queue in stored:
        try:
            candidate = {**result, queue.name: queue_rules.config(queue.name, queue.settings)}
            queue_configs(candidate.values())
        except (InvalidInputError, ValueError) as err:
            log.warning("stored settings of queue %s ignored: %s", queue.name, err)
            continue
        result = candidate
    return result


@dataclass(frozen=True, slots=True)
class QueueView:
    """A queue as routed now, and whether its settings were changed at run time."""

    config: QueueConfig
    settings: Mapping[str, Any]
    configured: bool
    stored: bool


class QueueAdmin:
    """The queues' settings at run time: stored settings override the configured ones."""

    def __init__(
        self,
        configured: Mapping[str, QueueConfig],
        store: QueueSettingsStore,
        queue_rules: QueueRules,
        runtime: AcdRuntime,
        clock: Clock,
    ) -> None:
        self._configured = dict(configured)
        self._store = store
        self._rules = queue_rules
        self._runtime = runtime
        self._clock = clock

    async def configs(self) -> dict[str, QueueConfig]:
        """The queues to route with now."""
        return merged_queues(self._configured, await self._store.stored(), self._rules)

    async def queues(self) -> list[QueueView]:
        """Every queue with its settings now."""
        stored = {s.name for s in await self._store.stored()}
        return [
            QueueView(
                config, self._rules.settings(config), name in self._configured, name in stored
            )
            for name, config in (await self.configs()).items()
        ]

    async def update(self, name: str, patch: Mapping[str, Any], editor: Editor) -> QueueView:
        """Change some settings of an existing queue."""
        queues = await self.configs()
        if name not in queues:
            raise UnknownQueueError(f"no queue named {name!r}; add it first")
        return await self._save(
            name, queues, {**self._rules.settings(queues[name]), **patch}, editor
        )

    async def create(self, name: str, settings: Mapping[str, Any], editor: Editor) -> QueueView:
        """Add a queue (the configuration's defaults for what is not given)."""
        queues = await self.configs()
        if name in queues:
            raise QueueExistsError(f"a queue named {name!r} exists already")
        return await self._save(name, queues, settings, editor)

    async def _save(
        self,
        name: str,
        queues: Mapping[str, QueueConfig],
        settings: Mapping[str, Any],
        editor: Editor,
    ) -> QueueView:
        config = self._rules.config(name, settings)
        try:
            queue_configs({**queues, name: config}.values())
        except ValueError as err:
            raise InvalidInputError(str(err), code="invalid-queue-settings") from None
        before = self._rules.settings(queues[name]) if name in queues else None
        after = self._rules.settings(config)
        entry = Stamp(self._clock.now(), editor).entry(
            "queue", name, "update" if before is not None else "create", before_after(before, after)
        )
        await self._store.save(StoredQueue(name, after, editor.user_id), entry)
        log.info("queue %s settings changed by %s", name, editor.role)
        await self._runtime.changed()
        return QueueView(config, after, name in self._configured, True)
