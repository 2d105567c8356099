"""Thin handlers of the agent API (`/api/agents/me/...`), the supervisor API
(`/api/agents`, force state, log out) and the wallboard figures (`/api/stats/realtime`)."""

from __future__ import annotations

from aiohttp import web

from agents.access import agent_of, enabled_agent
from agents.center import Acd, Actorship
from agents.models import Actor, Presence
from agents.ports import AgentDirectory, AgentInfo
from agents.schemas import (
    AgentOut,
    CallActionOut,
    PresenceEventOut,
    PresenceHistoryOut,
    PresenceOut,
    RealtimeOut,
    StateIn,
    TransferIn,
    WrapUpIn,
    realtime_out,
)
from callcenter.core.api import Principal, Role, endpoint
from callcenter.httpkit import PRINCIPAL, editor_of, parse_body, path_int, respond

AGENT = frozenset({Role.AGENT})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
WALLBOARD = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.OPERATOR})
STATE_ERRORS = ("invalid-body", "invalid-agent-state", "agent-state-conflict", "not-an-agent")
LOGIN_ERRORS = (*STATE_ERRORS, "agent-disabled")


def presence_out(agent_id: int, presence: Presence) -> PresenceOut:
    """The presence body."""
    return PresenceOut(
        agent_id=agent_id,
        state=presence.state.value,
        reason=presence.reason,
        since_ms=presence.since_ms,
        call_id=presence.call_id,
    )


def agent_out(agent: AgentInfo, presence: Presence) -> AgentOut:
    """The agent body."""
    return AgentOut(
        agent_id=agent.agent_id,
        username=agent.username,
        display_name=agent.display_name,
        device_kind=agent.device_kind,
        device_address=agent.device_address,
        languages=sorted(agent.languages),
        skills=dict(agent.skills),
        queues=dict(agent.queues),
        enabled=agent.enabled,
        presence=presence_out(agent.agent_id, presence),
    )


def me(acd: Acd, request: web.Request, *, logging_in: bool = False) -> tuple[int, Actorship]:
    """The calling agent's id (its user id) and actorship: 409 `not-an-agent` without an
    agent record, 403 `agent-disabled` when logging in disabled."""
    principal: Principal = request[PRINCIPAL]
    agent = (enabled_agent if logging_in else agent_of)(acd, principal)
    return agent.agent_id, Actorship(Actor.AGENT, agent.agent_id)


def supervisor(request: web.Request) -> Actorship:
    """The calling supervisor as an actor."""
    return Actorship(Actor.SUPERVISOR, request[PRINCIPAL].user_id)


class AgentsHttp:
    """The agent and supervisor routes."""

    def __init__(self, acd: Acd, directory: AgentDirectory) -> None:
        self._acd = acd
        self._directory = directory

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        r = app.router
        r.add_get("/api/agents/me", self.get_me)
        r.add_post("/api/agents/me/login", self.login)
        r.add_post("/api/agents/me/logout", self.logout)
        r.add_put("/api/agents/me/state", self.set_state)
        r.add_post("/api/agents/me/offers/{call_id}/accept", self.accept)
        r.add_post("/api/agents/me/offers/{call_id}/decline", self.decline)
        r.add_post("/api/agents/me/hang-up", self.hang_up)
        r.add_post("/api/agents/me/transfer", self.transfer)
        r.add_post("/api/agents/me/wrap-up", self.wrap_up)
        # GET /api/agents (every agent, with what administrators set) is in agents.admin.http
        r.add_put("/api/agents/{agent_id}/state", self.force_state)
        r.add_post("/api/agents/{agent_id}/logout", self.force_logout)
        r.add_get("/api/agents/{agent_id}/events", self.events)
        r.add_get("/api/stats/realtime", self.realtime)

    async def _me_out(self, agent_id: int) -> AgentOut:
        return agent_out(self._acd.agent(agent_id), await self._acd.presence(agent_id))

    async def _after_call_action(self, agent_id: int, call_id: str | None) -> web.Response:
        presence = await self._acd.presence(agent_id)
        return respond(CallActionOut(call_id=call_id, presence=presence_out(agent_id, presence)))

    @endpoint(
        "The calling agent", roles=AGENT, response=AgentOut, errors=("not-an-agent",), tag="agents"
    )
    async def get_me(self, request: web.Request) -> web.Response:
        return respond(await self._me_out(me(self._acd, request)[0]))

    @endpoint(
        "Log in (not ready until you say ready)",
        roles=AGENT,
        response=PresenceOut,
        errors=LOGIN_ERRORS,
        tag="agents",
    )
    async def login(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request, logging_in=True)
        presence = await self._acd.login(agent_id, actor, editor_of(request))
        return respond(presence_out(agent_id, presence))

    @endpoint("Log out", roles=AGENT, response=PresenceOut, errors=STATE_ERRORS, tag="agents")
    async def logout(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        presence = await self._acd.set_state(
            agent_id, "logged_out", None, actor, editor_of(request)
        )
        return respond(presence_out(agent_id, presence))

    @endpoint(
        "Set ready, not ready (reason: break, meal, training, after-call) or logged out",
        roles=AGENT,
        body=StateIn,
        response=PresenceOut,
        errors=STATE_ERRORS,
        tag="agents",
    )
    async def set_state(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        body = await parse_body(StateIn, request)
        presence = await self._acd.set_state(
            agent_id, body.state, body.reason, actor, editor_of(request)
        )
        return respond(presence_out(agent_id, presence))

    @endpoint(
        "Accept the call offered",
        roles=AGENT,
        response=CallActionOut,
        errors=("no-such-offer", "not-an-agent"),
        tag="agents",
    )
    async def accept(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        call_id = request.match_info["call_id"]
        await self._acd.accept(agent_id, call_id, actor)
        return await self._after_call_action(agent_id, call_id)

    @endpoint(
        "Decline the call offered (it goes back to the head of its queue)",
        roles=AGENT,
        response=CallActionOut,
        errors=("no-such-offer", "not-an-agent"),
        tag="agents",
    )
    async def decline(self, request: web.Request) -> web.Response:
        agent_id, _ = me(self._acd, request)
        call_id = request.match_info["call_id"]
        await self._acd.decline(agent_id, call_id)
        return await self._after_call_action(agent_id, call_id)

    @endpoint(
        "Hang up the current call (then wrap-up)",
        roles=AGENT,
        response=CallActionOut,
        errors=("no-such-offer", "not-an-agent"),
        tag="agents",
    )
    async def hang_up(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        call_id = await self._acd.hang_up(agent_id, actor)
        return await self._after_call_action(agent_id, call_id)

    @endpoint(
        "Transfer the current call to a queue or an agent",
        roles=AGENT,
        body=TransferIn,
        response=CallActionOut,
        errors=("invalid-body", "invalid-transfer", "no-such-queue", "no-such-agent"),
        tag="agents",
    )
    async def transfer(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        body = await parse_body(TransferIn, request)
        call_id = await self._acd.transfer(
            agent_id, queue=body.queue, to_agent=body.agent_id, actor=actor
        )
        return await self._after_call_action(agent_id, call_id)

    @endpoint(
        "Wrap-up done, with the disposition and notes",
        roles=AGENT,
        body=WrapUpIn,
        response=CallActionOut,
        errors=("invalid-body", "no-such-offer", "invalid-agent-state"),
        tag="agents",
    )
    async def wrap_up(self, request: web.Request) -> web.Response:
        agent_id, actor = me(self._acd, request)
        body = await parse_body(WrapUpIn, request)
        call_id = (await self._acd.presence(agent_id)).call_id
        await self._acd.wrap_up_done(
            agent_id, body.disposition, body.notes, actor, not_ready_reason=body.not_ready_reason
        )
        return await self._after_call_action(agent_id, call_id)

    @endpoint(
        "Force an agent's state (supervisor)",
        roles=SUPERVISORS,
        body=StateIn,
        response=PresenceOut,
        errors=(*STATE_ERRORS, "no-such-agent", "invalid-id"),
        tag="agents",
    )
    async def force_state(self, request: web.Request) -> web.Response:
        agent_id = path_int(request, "agent_id")
        body = await parse_body(StateIn, request)
        presence = await self._acd.set_state(
            agent_id, body.state, body.reason, supervisor(request), editor_of(request)
        )
        return respond(presence_out(agent_id, presence))

    @endpoint(
        "Log an agent out (supervisor)",
        roles=SUPERVISORS,
        response=PresenceOut,
        errors=("agent-state-conflict", "no-such-agent", "invalid-id"),
        tag="agents",
    )
    async def force_logout(self, request: web.Request) -> web.Response:
        agent_id = path_int(request, "agent_id")
        presence = await self._acd.set_state(
            agent_id, "logged_out", None, supervisor(request), editor_of(request)
        )
        return respond(presence_out(agent_id, presence))

    @endpoint(
        "An agent's latest state changes with who made them",
        roles=SUPERVISORS,
        response=PresenceHistoryOut,
        errors=("no-such-agent", "invalid-id"),
        tag="agents",
    )
    async def events(self, request: web.Request) -> web.Response:
        agent_id = path_int(request, "agent_id")
        self._acd.agent(agent_id)
        found = await self._directory.history(agent_id, 100)
        return respond(
            PresenceHistoryOut(
                events=[
                    PresenceEventOut(
                        at_ms=e.at_ms,
                        from_state=e.from_state.value,
                        to_state=e.to_state.value,
                        actor=e.actor.value,
                        actor_id=e.actor_id,
                        reason=e.reason,
                        call_id=e.call_id,
                    )
                    for e in found
                ]
            )
        )

    @endpoint(
        "Live queue and agent figures (the wallboard)",
        roles=WALLBOARD,
        response=RealtimeOut,
        tag="stats",
    )
    async def realtime(self, request: web.Request) -> web.Response:
        return respond(realtime_out(await self._acd.realtime()))
