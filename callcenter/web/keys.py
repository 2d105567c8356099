"""Typed application keys: every shared object of the running app, declared in one place."""

from __future__ import annotations

import redis.asyncio as aioredis
from aiohttp import web
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.center import Acd
from agents.desk import DeskHub
from callcenter.auth.service import AuthService
from callcenter.callflow.ending import CallEnding
from callcenter.calls.service import CallService
from callcenter.campaigns.answering import CampaignCallService
from callcenter.campaigns.assisted import AssistedBridge
from callcenter.campaigns.callbacks import CallbackCalls
from callcenter.campaigns.runtime import Outbound
from callcenter.config import Settings
from callcenter.core.socket_guard import SocketGuard
from callcenter.customers.service import ProfileService
from callcenter.storage.pg import FastPg
from callcenter.storage.sqlite_thread import SqliteThread
from callcenter.telephony.asterisk.bridge import AsteriskBridge
from callcenter.telephony.asterisk.fastagi import FastAgiServer
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.tickets.service import TicketService
from ivr_flows.service import IvrService

SETTINGS = web.AppKey("settings", Settings)
# the methods of each fixed path (`/api/agents/me`), which a template path also matches
LITERAL_PATHS = web.AppKey("literal_paths", dict[str, str])
ENGINE = web.AppKey("engine", AsyncEngine)
FAST_PG = web.AppKey("fast_pg", FastPg)  # PostgreSQL only
LOCAL_SQL = web.AppKey("local_sql", SqliteThread)  # a SQLite file only
REDIS = web.AppKey("redis", aioredis.Redis)
METRICS = web.AppKey("metrics", CollectorRegistry)
AUTH = web.AppKey("auth", AuthService)
CALLS = web.AppKey("calls", CallService)
PROFILES = web.AppKey("profiles", ProfileService)
TICKETS = web.AppKey("tickets", TicketService)
IVR = web.AppKey("ivr", IvrService)
ENDING = web.AppKey("ending", CallEnding)
ACD = web.AppKey("acd", Acd)
DESK = web.AppKey("desk", DeskHub)
SOCKETS = web.AppKey("sockets", SocketGuard)  # issue 18: desk and console sockets re-checked
FASTAGI = web.AppKey("fastagi", FastAgiServer)
AMI = web.AppKey("ami", AsteriskAmi)
ASTERISK_BRIDGE = web.AppKey("asterisk_bridge", AsteriskBridge)
OUTBOUND = web.AppKey("outbound", Outbound)
CAMPAIGN_CALLS = web.AppKey("campaign_calls", CampaignCallService)
OUTBOUND_BRIDGE = web.AppKey("outbound_bridge", AssistedBridge)
CALLBACKS = web.AppKey("callbacks", CallbackCalls)

# --- desk: campaign dispositions, outbound pops, promise follow-ups (issue 14) ---
from callcenter.campaigns.dispositions_http import DeskCampaigns  # noqa: E402

DESK_CAMPAIGNS = web.AppKey("desk_campaigns", DeskCampaigns)

# --- outgoing webhooks (issue 15) ---
from callcenter.webhooks.service import WebhookService  # noqa: E402

WEBHOOKS = web.AppKey("webhooks", WebhookService)
