"""Thin handlers of agent administration (`/api/agents`: list, create, change) and of the
queues' settings at run time (`/api/queues`)."""

from __future__ import annotations

from aiohttp import web

from agents.admin.models import AgentChanges, AgentRecord, NewAgent
from agents.admin.ports import AcdRuntime
from agents.admin.rules import device
from agents.admin.schemas import (
    AgentAdminListOut,
    AgentAdminOut,
    AgentCreateIn,
    AgentPatchIn,
    QueueCreateIn,
    QueueListOut,
    QueueOut,
    QueuePatchIn,
)
from agents.admin.service import AgentAdmin, QueueAdmin, QueueView
from agents.http import presence_out
from agents.models import AgentState, Presence
from callcenter.core.api import Role, endpoint
from callcenter.httpkit import editor_of, parse_body, path_int, respond

ADMIN = frozenset({Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
STAFF = frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})
AGENT_ERRORS = (
    "invalid-body",
    "invalid-device",
    "invalid-skill",
    "invalid-skill-level",
    "invalid-queue-level",
    "invalid-language",
    "no-such-queue",
    "no-such-customer",
)
LOGGED_OUT = Presence(AgentState.LOGGED_OUT, 0)


def _queue_out(view: QueueView) -> QueueOut:
    return QueueOut.model_validate(
        {
            "name": view.config.name,
            **view.settings,
            "configured": view.configured,
            "stored": view.stored,
        }
    )


class AdminHttp:
    """Agent and queue administration routes."""

    def __init__(self, agents: AgentAdmin, queues: QueueAdmin, runtime: AcdRuntime) -> None:
        self._agents = agents
        self._queues = queues
        self._runtime = runtime

    def setup(self, app: web.Application) -> None:
        """Mount the routes."""
        r = app.router
        r.add_get("/api/agents", self.list_agents)
        r.add_post("/api/agents", self.create_agent)
        r.add_patch("/api/agents/{agent_id}", self.change_agent)
        r.add_get("/api/queues", self.list_queues)
        r.add_post("/api/queues", self.create_queue)
        r.add_patch("/api/queues/{name}", self.change_queue)

    async def _out(self, record: AgentRecord) -> AgentAdminOut:
        presence = (await self._runtime.presences()).get(record.agent_id, LOGGED_OUT)
        return _agent_out(record, presence)

    @endpoint(
        "Every agent (enabled or not) with device, skills, queues, account-manager links and "
        "presence",
        roles=SUPERVISORS,
        response=AgentAdminListOut,
        tag="agents",
    )
    async def list_agents(self, request: web.Request) -> web.Response:
        records = await self._agents.agents()
        presences = await self._runtime.presences()
        return respond(
            AgentAdminListOut(
                agents=[_agent_out(r, presences.get(r.agent_id, LOGGED_OUT)) for r in records]
            )
        )

    @endpoint(
        "Make an existing user (role agent) an agent: device, languages, skills, queues",
        roles=ADMIN,
        body=AgentCreateIn,
        response=AgentAdminOut,
        errors=(*AGENT_ERRORS, "no-such-user", "agent-exists", "user-not-agent"),
        tag="agents",
    )
    async def create_agent(self, request: web.Request) -> web.Response:
        body = await parse_body(AgentCreateIn, request)
        new = NewAgent(
            body.username,
            device(body.device.kind, body.device.address),
            tuple(body.languages),
            body.skills,
            body.queues,
            tuple(body.manages),
        )
        created = await self._agents.create(new, editor_of(request))
        return respond(await self._out(created), status=201)

    @endpoint(
        "Change an agent: device, languages, skills, queues, managed customers, enabled "
        "(disabling logs the agent out; an open offer goes back to its queue)",
        roles=ADMIN,
        body=AgentPatchIn,
        response=AgentAdminOut,
        errors=(*AGENT_ERRORS, "invalid-id", "no-such-agent", "agent-on-call"),
        tag="agents",
    )
    async def change_agent(self, request: web.Request) -> web.Response:
        agent_id = path_int(request, "agent_id")
        body = await parse_body(AgentPatchIn, request)
        changes = AgentChanges(
            device=None if body.device is None else device(body.device.kind, body.device.address),
            languages=None if body.languages is None else tuple(body.languages),
            skills=body.skills,
            queues=body.queues,
            manages=None if body.manages is None else tuple(body.manages),
            enabled=body.enabled,
        )
        changed = await self._agents.update(agent_id, changes, editor_of(request))
        return respond(await self._out(changed))

    @endpoint("Every queue with its settings", roles=STAFF, response=QueueListOut, tag="queues")
    async def list_queues(self, request: web.Request) -> web.Response:
        views = await self._queues.queues()
        return respond(QueueListOut(queues=[_queue_out(v) for v in views]))

    @endpoint(
        "Add a queue (settings as in [[routing.queues]]; kept in the database)",
        roles=ADMIN,
        body=QueueCreateIn,
        response=QueueOut,
        errors=("invalid-body", "invalid-queue-settings", "queue-exists"),
        tag="queues",
    )
    async def create_queue(self, request: web.Request) -> web.Response:
        body = await parse_body(QueueCreateIn, request)
        settings = body.model_dump(exclude_none=True, exclude={"name"})
        view = await self._queues.create(body.name, settings, editor_of(request))
        return respond(_queue_out(view), status=201)

    @endpoint(
        "Change some settings of a queue (kept in the database; overrides the file)",
        roles=ADMIN,
        body=QueuePatchIn,
        response=QueueOut,
        errors=("invalid-body", "invalid-queue-settings", "no-such-queue"),
        tag="queues",
    )
    async def change_queue(self, request: web.Request) -> web.Response:
        body = await parse_body(QueuePatchIn, request)
        patch = body.model_dump(exclude_none=True)
        view = await self._queues.update(request.match_info["name"], patch, editor_of(request))
        return respond(_queue_out(view))


def _agent_out(record: AgentRecord, presence: Presence) -> AgentAdminOut:
    return AgentAdminOut(
        agent_id=record.agent_id,
        username=record.username,
        display_name=record.display_name,
        device_kind=record.device.kind.value,
        device_address=record.device.address,
        languages=list(record.languages),
        skills=dict(record.skills),
        queues=dict(record.queues),
        manages=list(record.manages),
        enabled=record.enabled,
        presence=presence_out(record.agent_id, presence),
    )
