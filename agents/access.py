"""Who may use the agent API and the desk: a signed-in user with an agent record, enabled.

A user with the role agent but no agent record (device, queues) gets 409 `not-an-agent`
saying what to do; a disabled agent gets 403 `agent-disabled` when logging in.
"""

from __future__ import annotations

from agents.center import Acd, NoSuchAgentError
from agents.ports import AgentInfo
from callcenter.core.api import Principal
from callcenter.core.errors import ConflictError, ForbiddenError


class NotAnAgentError(ConflictError):
    """The user has no agent record."""

    default_code = "not-an-agent"


class AgentDisabledError(ForbiddenError):
    """The agent has been disabled by an administrator."""

    default_code = "agent-disabled"


def agent_of(acd: Acd, principal: Principal) -> AgentInfo:
    """The agent record of the signed-in user."""
    if principal.user_id is None:
        raise ForbiddenError("this token belongs to no user", code="not-an-agent")
    try:
        return acd.agent(principal.user_id)
    except NoSuchAgentError:
        raise NotAnAgentError(
            f"user {principal.name!r} has the role agent but no agent record (device, queues) "
            f"yet; an admin adds one: callcenter agent add {principal.name} --device KIND:ADDRESS"
        ) from None


def enabled_agent(acd: Acd, principal: Principal) -> AgentInfo:
    """The agent record of the signed-in user, who must be enabled (to log in)."""
    agent = agent_of(acd, principal)
    if not agent.enabled:
        raise AgentDisabledError(
            f"agent {principal.name!r} is disabled; an admin can enable it again"
        )
    return agent
