"""What routing needs from shared state (implemented on Redis by `callcenter.state.acd`)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from agents.models import Assignment, WaitingCall


class ClaimResult(StrEnum):
    """How an atomic claim ended; the last two are lost races: choose again."""

    CLAIMED = "claimed"
    AGENT_NOT_READY = "agent-not-ready"
    CALL_GONE = "call-gone"


class RoutingState(Protocol):
    """Queues, ready agents and offers, shared by every server instance."""

    async def enqueue(self, call: WaitingCall) -> None:
        """Put the call in its queue (again: keeps its place if it is already there)."""

    async def snapshot(
        self, queues: Sequence[str], limit: int
    ) -> tuple[dict[int, int], list[WaitingCall]]:
        """In one round trip: ready agents (agent id -> idle since, ms) and the first `limit`
        waiting calls of each queue."""

    async def set_ready(self, agent_id: int, idle_since_ms: int) -> None:
        """The agent is ready to take a call."""

    async def claim(
        self, assignments: Sequence[Assignment], now_ms: int, offer_ms: int
    ) -> list[ClaimResult]:
        """Claim each agent and call together, atomically one by one; an offer open until
        `now_ms + offer_ms`."""

    async def expired_offers(self, now_ms: int) -> list[tuple[str, int]]:
        """Offers past their deadline: (call id, agent id)."""

    async def requeue_at_head(self, call_id: str, agent_id: int, now_ms: int) -> bool:
        """An offer that timed out: the call back to the head of its priority in its queue,
        the agent to not ready (no answer). False when the offer was no longer open."""

    async def abandon(self, call_id: str, now_ms: int) -> int | None:
        """The caller hung up while queued or offered: forget the call, withdraw its offer
        (the agent back to ready). Returns the agent whose offer was withdrawn, if any."""
