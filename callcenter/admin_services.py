"""Wiring of administration: agent and queue administration over the running ACD, the
queue rules of the configuration, and the 'changed' notices every instance listens to."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.admin.http import AdminHttp
from agents.admin.service import AgentAdmin, QueueAdmin, merged_queues
from agents.center import Acd, Actorship, NoSuchAgentError
from agents.models import Actor, AgentState, Presence, QueueConfig
from agents.presence import StateConflictError
from agents.routing import queue_configs
from callcenter.config import QueueSettings, Settings
from callcenter.core.audit import Editor
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInputError
from callcenter.core.tasks import every
from callcenter.state.config_notices import RedisConfigNotices
from callcenter.state.keys import Keys
from callcenter.storage.agent_admin import SqlAgentAdminStore
from callcenter.storage.queue_settings import SqlQueueSettingsStore

log = logging.getLogger(__name__)
SYSTEM_EDITOR = Editor("system")
SWITCHED_OFF = {"overflow_after_seconds": 0, "overflow_queue": "", "callback_offer_seconds": 0}


class ConfigQueueRules:
    """`[[routing.queues]]` rules of the configuration loader: same limits and messages."""

    def config(self, name: str, settings: Mapping[str, Any]) -> QueueConfig:
        try:
            return QueueSettings.model_validate({**settings, "name": name}).config()
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(map(str, p['loc'])) or 'queue'}: {p['msg']} (got {p.get('input')!r})"
                for p in err.errors()
            )
            raise InvalidInputError(problems, code="invalid-queue-settings") from None

    def settings(self, config: QueueConfig) -> dict[str, Any]:
        values = {k: v for k, v in asdict(config).items() if k != "name"}
        return {k: SWITCHED_OFF[k] if v is None else v for k, v in values.items()}


class LiveAcd:
    """The ACD of this instance seen by administration; `changed` reloads it and tells the
    other instances to."""

    def __init__(
        self,
        acd: Acd,
        configured: Mapping[str, QueueConfig],
        stored: SqlQueueSettingsStore,
        notices: RedisConfigNotices,
    ) -> None:
        self._acd = acd
        self._configured = dict(configured)
        self._stored = stored
        self._notices = notices

    def queue_names(self) -> frozenset[str]:
        return frozenset(self._acd.queues)

    async def presences(self) -> Mapping[int, Presence]:
        return await self._acd.presences()

    async def is_on_call(self, agent_id: int) -> bool:
        try:
            return (await self._acd.presence(agent_id)).state is AgentState.ON_CALL
        except NoSuchAgentError:
            return False

    async def log_out(self, agent_id: int, editor: Editor) -> None:
        kind = Actor.SYSTEM if editor is SYSTEM_EDITOR else Actor.SUPERVISOR
        try:
            if (await self._acd.presence(agent_id)).state is AgentState.LOGGED_OUT:
                return
            actor = Actorship(kind, editor.user_id)
            await self._acd.set_state(agent_id, AgentState.LOGGED_OUT.value, None, actor, editor)
        except (NoSuchAgentError, StateConflictError) as err:  # gone, or a call just came
            log.info("disabled agent %d not logged out now: %s", agent_id, err)

    async def reload(self) -> None:
        """Queues (configured + stored) and agents from SQL into this instance's ACD; a
        disabled agent still logged in (disabled from the command line, or while on a
        call) is logged out."""
        stored = await self._stored.stored()
        self._acd.set_queues(merged_queues(self._configured, stored, ConfigQueueRules()))
        await self._acd.refresh_agents()
        disabled = [a.agent_id for a in self._acd.agents() if not a.enabled]
        if not disabled:
            return
        presences = await self._acd.presences()
        for agent_id in disabled:
            if presences[agent_id].state not in (AgentState.LOGGED_OUT, AgentState.ON_CALL):
                await self.log_out(agent_id, SYSTEM_EDITOR)

    async def changed(self) -> None:
        await self.reload()
        await self._notices.publish("agents-or-queues")


class AdminServices:
    """Agent and queue administration for one app: routes and the reload task."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        redis: aioredis.Redis,
        acd: Acd,
        clock: Clock,
    ) -> None:
        configured = queue_configs(settings.routing.queue_configs())
        stored = SqlQueueSettingsStore(engine)
        self._notices = RedisConfigNotices(redis, Keys(settings.redis.key_prefix))
        self.runtime = LiveAcd(acd, configured, stored, self._notices)
        self.agents = AgentAdmin(SqlAgentAdminStore(engine), self.runtime, clock)
        self.queues = QueueAdmin(configured, stored, ConfigQueueRules(), self.runtime, clock)
        self._period = settings.routing.agents_refresh_seconds

    def setup(self, app: web.Application) -> None:
        """Mount the administration routes."""
        AdminHttp(self.agents, self.queues, self.runtime).setup(app)

    async def live(self, app: web.Application) -> AsyncIterator[None]:
        """A cleanup context: stored queue settings in force from the start, then reload on
        every notice and, as a fallback, every `routing.agents_refresh_seconds`."""
        await self.runtime.reload()
        tasks = [
            asyncio.create_task(self._notices.listen(self.runtime.reload), name="config-notices"),
            asyncio.create_task(
                every(self._period, self.runtime.reload, at_once=False), name="config-reload"
            ),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
