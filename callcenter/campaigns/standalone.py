"""Outbound for one command-line run (`callcenter campaign …`): the engine and the Redis
client from the settings, the schema migrated as the server does, the outbound use cases
with the call records of the calls placed, and the foreground dialing of one campaign under
the campaign's lease in Redis, so that a server on the same Redis does not dial it at once.

The command line answers no call: the IVR service it builds only closes the sessions of the
calls it ends (a server on the same Redis may have opened one for a Twilio call); its IVR
services refuse any conversation, and no flow is loaded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.callflow.ending import CallEnding
from callcenter.calls.service import CallService
from callcenter.campaigns.calls import CallRecordLog
from callcenter.campaigns.gateways import GatewayNotConfiguredError
from callcenter.campaigns.runtime import Outbound
from callcenter.config import Settings
from callcenter.core.clock import Clock
from callcenter.core.errors import ConfigError, ConflictError
from callcenter.state import redis as redis_state
from callcenter.state.ivr_sessions import RedisIvrSessionStore
from callcenter.state.keys import Keys
from callcenter.state.lease import RedisLease
from callcenter.storage import db, migrate
from callcenter.storage.attempt_list import SqlAttemptList
from callcenter.storage.attempt_waits import SqlAttemptWaits
from callcenter.storage.calls import SqlCallRepository
from ivr_flows.commands import Enqueue, IvrRecord, Lookup, OpenTicket, Queued
from ivr_flows.events import LookupAnswered
from ivr_flows.service import IvrService
from outbound.driver import DriveReport, Progress
from outbound.models import Campaign, GatewayKind
from outbound.reports.ports import AttemptWaits


class CampaignLeasedError(ConflictError):
    """Another process dials the campaign (it holds the campaign's lease)."""

    default_code = "campaign-leased"


class NoConversations:
    """`ivr_flows.ports.IvrServices` for a process that answers no call: any use is a bug."""

    def _refuse(self) -> ConflictError:
        return ConflictError("the command line holds no IVR conversation", code="no-ivr-here")

    async def lookup(self, call_id: str, command: Lookup) -> LookupAnswered:
        raise self._refuse()

    async def open_ticket(self, call_id: str, command: OpenTicket) -> str:
        raise self._refuse()

    async def enqueue(
        self, call_id: str, command: Enqueue, variables: Mapping[str, Any]
    ) -> Queued | None:
        raise self._refuse()

    async def record(self, call_id: str, records: Sequence[IvrRecord]) -> None:
        raise self._refuse()


@dataclass(frozen=True, slots=True)
class Standalone:
    """Outbound on this process, with the reads operations use."""

    settings: Settings
    outbound: Outbound
    redis: aioredis.Redis
    reads: SqlAttemptList
    waits: AttemptWaits
    clock: Clock

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings, clock: Clock) -> AsyncIterator[Standalone]:
        """Connected and migrated (when `database.migrate_on_start`); closed on exit."""
        engine = db.create_engine(settings.database_url, pool_size=settings.database.pool_size)
        secret = settings.redis.password
        client = redis_state.connect(
            settings.redis.url, secret.get_secret_value() if secret else None
        )
        try:
            await db.ping(engine)
            if settings.database.migrate_on_start:
                await migrate.upgrade(engine)
            yield cls(
                settings,
                _outbound(settings, engine, client, clock),
                client,
                SqlAttemptList(engine),
                SqlAttemptWaits(engine),
                clock,
            )
        finally:
            await client.aclose()
            await engine.dispose()

    def dialable(self, campaign: Campaign) -> None:
        """`gateway-not-configured` (409, saying what to set) unless this process can place
        the campaign's calls; Asterisk's only the server holding the AMI session can."""
        if campaign.gateway is GatewayKind.ASTERISK:
            raise GatewayNotConfiguredError(
                f"campaign {campaign.id} dials through Asterisk: the server holding the AMI "
                "session dials it (start it, and the server takes it up)"
            )
        self.outbound.gateways.get(campaign.gateway)

    async def run(self, campaign_id: int, progress: Progress | None = None) -> DriveReport:
        """Dial the (running) campaign until nothing more can be placed now, holding its
        lease: `campaign-leased` (409) when another process holds it."""
        self.dialable((await self.outbound.campaigns.get(campaign_id)).campaign)
        await redis_state.ping(self.redis, self.settings.redis.url)
        keys = Keys(self.settings.redis.key_prefix)
        lease = RedisLease(
            self.redis, keys.lease(f"campaign:{campaign_id}"), self.settings.outbound.lease_seconds
        )
        if not await lease.acquire():
            holder = await lease.holder_now() or "another process"
            raise CampaignLeasedError(
                f"campaign {campaign_id} is being dialled by {holder} (lease {lease.key}); "
                "nothing was dialled here"
            )
        await self.outbound.gateways.open()
        try:
            work = self.outbound.drive(campaign_id, until_idle=True, progress=progress)
            return await _renewing(lease, asyncio.create_task(work, name="campaign-run"))
        finally:
            await self.outbound.gateways.close()
            with contextlib.suppress(RedisError, OSError):
                await lease.release()


def _outbound(
    settings: Settings, engine: AsyncEngine, client: aioredis.Redis, clock: Clock
) -> Outbound:
    try:
        pack = settings.policy.in_force(clock.now().date())
    except KeyError as err:
        raise ConfigError(f"policy.pack: {err.args[0]}") from None
    calls = CallService(SqlCallRepository(engine), clock)
    sessions = RedisIvrSessionStore(
        client, Keys(settings.redis.key_prefix), settings.twilio.session_ttl_seconds
    )
    ivr = IvrService({}, settings.twilio.entry_flow, sessions, NoConversations())
    records = CallRecordLog(calls, CallEnding(calls, ivr, None))
    return Outbound(settings, engine, pack, clock, calls=records)


async def _renewing(lease: RedisLease, task: asyncio.Task[DriveReport]) -> DriveReport:
    """The task's result, renewing the lease every third of its TTL meanwhile; the task is
    stopped when the lease is lost (another process may be dialling already)."""
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=lease.ttl_seconds / 3)
            if done:
                return task.result()
            try:
                kept = await lease.renew()
            except (RedisError, OSError):
                kept = False
            if not kept:
                raise CampaignLeasedError(
                    f"the lease {lease.key} was lost (Redis unreachable or taken over): "
                    "dialing stopped here"
                )
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
