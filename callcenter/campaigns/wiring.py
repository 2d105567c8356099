"""The outbound stores and use cases on one database: built once by the app and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.core.clock import Clock
from callcenter.core.policy import PolicyPack
from callcenter.storage.arrears import SqlArrearsStore
from callcenter.storage.attempts import SqlAttemptStore
from callcenter.storage.campaign_targets import SqlTargetStore
from callcenter.storage.campaigns import SqlAreaSuspensions, SqlCampaignStore, SqlOptOuts
from callcenter.storage.contact_history import SqlContactHistory
from callcenter.storage.outage_facts import SqlOutageFacts
from outbound.campaigns import CampaignService
from outbound.dialer import DialerPorts
from outbound.ports import OutboundCallLog


@dataclass(frozen=True, slots=True)
class OutboundStores:
    """Every SQL store the outbound use cases need."""

    campaigns: SqlCampaignStore
    targets: SqlTargetStore
    attempts: SqlAttemptStore
    history: SqlContactHistory
    opt_outs: SqlOptOuts
    suspensions: SqlAreaSuspensions
    arrears: SqlArrearsStore
    outages: SqlOutageFacts

    @classmethod
    def on(cls, engine: AsyncEngine, pack: PolicyPack, timezone: str) -> OutboundStores:
        """The stores on `engine`, with the pack's late-fee rules for the amounts spoken."""
        return cls(
            SqlCampaignStore(engine),
            SqlTargetStore(engine, pack.late_fee, timezone),
            SqlAttemptStore(engine),
            SqlContactHistory(engine),
            SqlOptOuts(engine),
            SqlAreaSuspensions(engine),
            SqlArrearsStore(engine),
            SqlOutageFacts(engine),
        )

    def dialer_ports(self, calls: OutboundCallLog | None = None) -> DialerPorts:
        """What a campaign's dialer reads and writes (`calls`: the call records)."""
        return DialerPorts(
            self.campaigns,
            self.attempts,
            self.history,
            self.opt_outs,
            self.suspensions,
            calls,
            self.arrears,
        )

    def campaign_service(self, pack: PolicyPack, clock: Clock) -> CampaignService:
        """Create, preview, start, pause, resume, cancel and count campaigns."""
        return CampaignService(
            self.campaigns, self.targets, self.attempts, self.outages, pack.outbound, clock
        )
