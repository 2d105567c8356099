"""The configured agents (re-read from SQL now and then) next to the queues' rules."""

from __future__ import annotations

from agents.ports import AgentDirectory, AgentInfo
from agents.queues import QueueBook
from agents.router import AgentProfile
from callcenter.core.errors import NotFoundError


class NoSuchAgentError(NotFoundError):
    """Not an agent."""

    default_code = "no-such-agent"


class Roster:
    """Agents with their devices, skills and queue memberships, and the queue book."""

    def __init__(self, directory: AgentDirectory, queues: QueueBook) -> None:
        self._directory = directory
        self.queues = queues
        self._agents: dict[int, AgentInfo] = {}

    async def refresh(self) -> dict[int, AgentProfile]:
        """Reload the agents from SQL; what routing knows of each."""
        found = await self._directory.agents()
        self._agents = {a.agent_id: a for a in found}
        return {  # a disabled agent is never routed to
            a.agent_id: AgentProfile(a.skills, a.languages, frozenset(a.queues))
            for a in found
            if a.enabled
        }

    def agent(self, agent_id: int) -> AgentInfo:
        """A configured agent, or `NoSuchAgentError`."""
        found = self._agents.get(agent_id)
        if found is None:
            raise NoSuchAgentError(f"no agent with id {agent_id}")
        return found

    def find(self, agent_id: int) -> AgentInfo | None:
        """A configured agent, or None."""
        return self._agents.get(agent_id)

    def agents(self) -> list[AgentInfo]:
        """Every configured agent."""
        return list(self._agents.values())

    def ids(self) -> list[int]:
        """Every configured agent's id, in order."""
        return sorted(self._agents)

    def members(self, queue: str) -> list[int]:
        """The agents who serve `queue`, in order."""
        return sorted(a for a, info in self._agents.items() if queue in info.queues)
