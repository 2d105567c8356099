"""What agent and queue administration needs: the stores (SQL), the queue rules of the
configuration, and the running ACD (this instance, and a notice to the others)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from agents.admin.models import AgentChanges, AgentRecord, NewAgent, StoredQueue, UserRef
from agents.models import Presence, QueueConfig
from callcenter.core.audit import AuditEntry, Editor, Stamp


class AgentAdminStore(Protocol):
    """Agents with everything an administrator edits; each write is audited in its own
    transaction."""

    async def user(self, username: str) -> UserRef | None:
        """The user named `username`."""

    async def agents(self) -> list[AgentRecord]:
        """Every agent, enabled or not, by id."""

    async def agent(self, agent_id: int) -> AgentRecord | None:
        """One agent."""

    async def create(self, user: UserRef, new: NewAgent, stamp: Stamp) -> AgentRecord:
        """Add the agent record of `user`: `AgentExistsError`, `UnknownCustomerError`."""

    async def update(
        self, agent_id: int, changes: AgentChanges, stamp: Stamp
    ) -> tuple[AgentRecord, AgentRecord]:
        """Apply `changes`: (before, after); `UnknownCustomerError` for a bad link."""


class QueueSettingsStore(Protocol):
    """Queue settings saved at run time; they override the configured ones."""

    async def stored(self) -> list[StoredQueue]:
        """Every stored queue."""

    async def save(self, queue: StoredQueue, entry: AuditEntry) -> None:
        """Store (insert or replace) the queue's settings, with the audit entry."""


class QueueRules(Protocol):
    """The configuration's rules for `[[routing.queues]]` (same limits and messages)."""

    def config(self, name: str, settings: Mapping[str, Any]) -> QueueConfig:
        """The queue from its settings; `InvalidInputError` naming the bad key."""

    def settings(self, config: QueueConfig) -> dict[str, Any]:
        """The settings of a queue, as `[[routing.queues]]` keys (without the name)."""


class AcdRuntime(Protocol):
    """The ACD running here, and the notice to every other instance."""

    def queue_names(self) -> frozenset[str]:
        """The queues routed now."""

    async def presences(self) -> Mapping[int, Presence]:
        """Every agent's presence now (agents it does not know yet are absent)."""

    async def is_on_call(self, agent_id: int) -> bool:
        """Whether the agent is talking to a caller now."""

    async def log_out(self, agent_id: int, editor: Editor) -> None:
        """Log the agent out (an open offer goes back to its queue); no-op when out."""

    async def changed(self) -> None:
        """Agents or queues changed: reload here and tell every instance to."""
