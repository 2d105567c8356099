"""The agent's decision on a previewed campaign call: dial it, or skip it with a reason
(`/api/agents/me/previews/{call_id}/dial|skip`). The record itself reached the desk as the
offer's screen-pop when the agent was reserved for it."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from agents.http import AGENT, me, presence_out
from agents.schemas import CallActionOut
from callcenter.campaigns.assisted import AssistedCalls
from callcenter.core.api import endpoint
from callcenter.httpkit import parse_body, respond

ERRORS = ("no-such-preview", "not-an-agent", "invalid-body")


class SkipIn(BaseModel):
    """Why the agent skips the record (a short code or sentence, kept on the call record)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=64)


class PreviewHttp:
    """Dial or skip a previewed call."""

    def __init__(self, assisted: AssistedCalls) -> None:
        self._assisted = assisted

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        app.router.add_post("/api/agents/me/previews/{call_id}/dial", self.dial)
        app.router.add_post("/api/agents/me/previews/{call_id}/skip", self.skip)

    async def _done(self, agent_id: int, call_id: str) -> web.Response:
        presence = await self._assisted.presence(agent_id)
        return respond(CallActionOut(call_id=call_id, presence=presence_out(agent_id, presence)))

    @endpoint(
        "Dial the previewed campaign call reserved for you",
        roles=AGENT,
        response=CallActionOut,
        errors=ERRORS,
        tag="agents",
    )
    async def dial(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._assisted.acd, request)
        call_id = request.match_info["call_id"]
        await self._assisted.preview_decided(agent_id, call_id, dial=True)
        return await self._done(agent_id, call_id)

    @endpoint(
        "Skip the previewed campaign call reserved for you, with a reason",
        roles=AGENT,
        body=SkipIn,
        response=CallActionOut,
        errors=ERRORS,
        tag="agents",
    )
    async def skip(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._assisted.acd, request)
        call_id = request.match_info["call_id"]
        body = await parse_body(SkipIn, request)
        await self._assisted.preview_decided(agent_id, call_id, dial=False, reason=body.reason)
        return await self._done(agent_id, call_id)
