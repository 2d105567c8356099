"""The composition root: the only place that wires concrete adapters into the services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from prometheus_client import CollectorRegistry

import agents
from agents.desk import DeskHub
from agents.http import AgentsHttp
from agents.softphone import Softphones, WebRtcSettings
from agents.softphone_http import SoftphoneHttp
from callcenter import demo as seed
from callcenter.admin_services import AdminServices
from callcenter.audit.http import AuditHttp  # issue 18 (audit)
from callcenter.audit.service import AuditTrail
from callcenter.auth.passwords import Passwords
from callcenter.callflow.ending import CallEnding
from callcenter.callflow.ivr import IvrServicesAdapter
from callcenter.callflow.ivr_history import sql_ivr_history  # issue 17: sessions rebuilt
from callcenter.callflow.urges import setup_urges  # 催办 (issue 15)
from callcenter.calls.http import CallsHttp
from callcenter.calls.service import CallService
from callcenter.campaigns.console import setup_console
from callcenter.campaigns.desk_wiring import setup_desk_campaigns
from callcenter.campaigns.serving import dialing, setup_outbound
from callcenter.config import Settings
from callcenter.config_telephony import TwilioSettings
from callcenter.core.clock import Clock, SystemClock
from callcenter.core.errors import ConfigError
from callcenter.customers.http import CustomersHttp
from callcenter.customers.service import ProfileService
from callcenter.demo_banner import announce_demo
from callcenter.httpkit import TRUSTED_PROXIES, networks
from callcenter.outages.http import OutagesHttp
from callcenter.outages.service import OutageService
from callcenter.simulator.http import SimulatorHttp
from callcenter.state import redis as redis_state
from callcenter.state.deliveries import RedisDeliveries
from callcenter.state.ivr_sessions import ivr_session_store
from callcenter.state.keys import Keys
from callcenter.state.lease import RedisLease, run_while_leader
from callcenter.state.relay import RedisRelay
from callcenter.state.simulator import RedisSimulatorRest
from callcenter.storage import db, migrate
from callcenter.storage.agents import SqlAgentDirectory
from callcenter.storage.audit import SqlAuditLog
from callcenter.storage.calendars import SqlCalendarStore  # issue 15 (sla)
from callcenter.storage.calls import SqlCallRepository
from callcenter.storage.customers import SqlCustomerDirectory
from callcenter.storage.outages import SqlOutageStore
from callcenter.storage.pg import FastPg
from callcenter.storage.sqlite_thread import SqliteThread
from callcenter.storage.tickets import SqlTicketRepository
from callcenter.telephony.asterisk.agi_gate import AgiGate
from callcenter.telephony.asterisk.ami import AmiSettings
from callcenter.telephony.asterisk.bridge import AsteriskBridge
from callcenter.telephony.asterisk.fastagi import FastAgiServer
from callcenter.telephony.asterisk.service import AsteriskAmi
from callcenter.telephony.asterisk.tts import EspeakTts, TtsError, render_missing, static_prompts
from callcenter.telephony.twilio.bridge import (
    TwilioRest,
    TwilioRestClient,
)
from callcenter.telephony.twilio.http import TwilioWebhooks
from callcenter.telephony.twilio.signature import TwilioSignature
from callcenter.telephony.twilio.twiml import TwimlRenderer
from callcenter.telephony.twilio.voice_token import TwilioVoiceTokens  # issue 16
from callcenter.tickets.calendar_http import CalendarHttp  # issue 15 (sla)
from callcenter.tickets.calendar_service import CalendarService  # issue 15 (sla)
from callcenter.tickets.http import TicketsHttp
from callcenter.tickets.service import TicketService
from callcenter.web import health, openapi
from callcenter.web.acd_wiring import build_acd
from callcenter.web.journal import setup_journal  # issue 17 (journal)
from callcenter.web.keys import (
    ACD,
    AMI,
    ASTERISK_BRIDGE,
    AUTH,
    CALLS,
    CAMPAIGN_CALLS,
    DESK,
    ENDING,
    ENGINE,
    FAST_PG,
    FASTAGI,
    IVR,
    LITERAL_PATHS,
    LOCAL_SQL,
    METRICS,
    PROFILES,
    REDIS,
    SETTINGS,
    SOCKETS,
    TICKETS,
)
from callcenter.web.live_calls import setup_live
from callcenter.web.middleware import literal_paths, middlewares
from callcenter.web.recordings import setup_recordings  # issue 16 (recordings)
from callcenter.web.routing_loop import routing_loop
from callcenter.web.security_headers import setup_security_headers  # issue 18 (csp)
from callcenter.web.sign_in import auth_service, setup_sign_in  # issue 18
from callcenter.web.socket_auth import socket_auth  # issue 18
from callcenter.web.ticket_board import setup_ticket_board  # issue 15 (board)
from callcenter.web.ticket_callbacks import setup_ticket_callbacks  # 回访 (issue 15)
from callcenter.web.webhooks import setup_webhooks  # outgoing webhooks (issue 15)
from ivr_flows.loader import default_flow_files, load_flows
from ivr_flows.service import IvrService

log = logging.getLogger(__name__)

Announce = Callable[[str], None]


def voice_tokens(twilio: TwilioSettings) -> TwilioVoiceTokens | None:
    """The softphone's token issuer, or None when a Twilio setting it needs is missing."""
    secret = twilio.api_secret.get_secret_value() if twilio.api_secret else None
    if not (twilio.account_sid and twilio.api_key and secret and twilio.twiml_app_sid):
        return None
    return TwilioVoiceTokens(
        twilio.account_sid, twilio.api_key, secret, twilio.twiml_app_sid,
        twilio.voice_token_ttl_seconds,
    )  # fmt: skip


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    announce: Announce | None = None,
    twilio_rest: TwilioRest | None = None,
) -> web.Application:
    """Build the application; connections open in its cleanup context, at start-up.
    `twilio_rest` replaces Twilio's REST API (tests fake the telephony edge)."""
    clock = clock or SystemClock()
    registry = CollectorRegistry()
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=middlewares(registry),
    )
    engine = db.create_engine(
        settings.database_url, pool_size=settings.database.pool_size, echo=settings.database.echo
    )
    password = settings.redis.password.get_secret_value() if settings.redis.password else None
    app[SETTINGS] = settings
    app[TRUSTED_PROXIES] = networks(settings.server.trusted_proxies)
    app[METRICS] = registry
    app[ENGINE] = engine
    fast = FastPg.for_engine(engine, settings.database.pool_size)
    if fast is not None:
        app[FAST_PG] = fast
    local = SqliteThread.for_engine(engine)  # issue 17 (speed): a call step in one hop
    if local is not None:
        app[LOCAL_SQL] = local
    app[REDIS] = redis_state.connect(settings.redis.url, password, settings.redis.key_prefix)
    pack = settings.policy.in_force(clock.now().date())
    keys = Keys(settings.redis.key_prefix)
    passwords = Passwords(n=settings.security.password_scrypt_n)  # in threads of their own
    app[AUTH] = auth_service(app, clock, passwords)
    app[CALLS] = CallService(SqlCallRepository(engine, fast, local), clock)
    app[PROFILES] = ProfileService(
        SqlCustomerDirectory(engine, fast, local), clock, pack, settings.server.timezone
    )
    calendars = CalendarService(SqlCalendarStore(engine), clock, pack.timezone)
    app[TICKETS] = TicketService(SqlTicketRepository(engine), clock, calendars, pack.tickets)
    flows = load_flows(default_flow_files(settings.ivr.flows_dir))
    twilio = settings.twilio
    store = ivr_session_store(settings.redis.url, app[REDIS], keys, twilio.session_ttl_seconds)
    token = twilio.auth_token.get_secret_value() if twilio.auth_token else None
    rest: TwilioRest | None = twilio_rest
    if rest is None and twilio.account_sid and token:
        rest = TwilioRestClient(twilio.account_sid, token, twilio.api_base_url)  # issue 17 (kill)
    directory = SqlAgentDirectory(engine)
    app[ASTERISK_BRIDGE] = AsteriskBridge(RedisRelay(app[REDIS], keys.ami_actions()))
    simulator = RedisSimulatorRest(app[REDIS], keys, twilio.session_ttl_seconds)
    app[ACD] = build_acd(settings, app, clock, directory, rest, app[ASTERISK_BRIDGE], simulator)
    services = IvrServicesAdapter(
        app[PROFILES],
        app[TICKETS],
        app[CALLS],
        settings.server.timezone,
        app[ACD],
        settings.routing.preferred_wait_seconds,
        clock=clock,  # issue 17 (lookup): the per-call profile cache's TTL
        lookup_timeout=settings.ivr.lookup_timeout_seconds,
    )
    setup_urges(app, services, pack)  # 催办 and the desk ticket form's taxonomy (issue 15)
    app[IVR] = IvrService(flows, twilio.entry_flow, store, services)
    app[IVR].use_history(sql_ivr_history(app[CALLS], engine))  # issue 17: sessions rebuilt
    app[ENDING] = CallEnding(app[CALLS], app[IVR], app[ACD])
    signature = TwilioSignature(token, settings.server.public_base_url, app[AUTH].authenticate)
    app[DESK] = DeskHub(app[ACD], app[AUTH].check, app[SOCKETS], timezone=settings.server.timezone)

    health.setup(app)
    setup_sign_in(app, clock, passwords)  # issue 18: limits, lockout, unlock, users, tokens
    CallsHttp(app[CALLS]).setup(app)
    CustomersHttp(app[PROFILES]).setup(app)
    TicketsHttp(app[TICKETS]).setup(app)
    CalendarHttp(calendars).setup(app)  # issue 15
    AgentsHttp(app[ACD], directory).setup(app)
    tokens = voice_tokens(settings.twilio)
    softphones = Softphones(  # issue 16 (softphone): Twilio tokens; the WebRTC softphone's WSS
        tokens, WebRtcSettings(settings.asterisk.webrtc_ws_url, settings.asterisk.webrtc_domain)
    )
    setup_security_headers(  # issue 18 (csp): the pages' CSP reaches the softphones' servers
        app,
        twilio_phone=tokens is not None,
        sip_ws_url=settings.asterisk.webrtc_ws_url,
        public_base_url=settings.server.public_base_url,
    )
    SoftphoneHttp(app[ACD], softphones).setup(app)  # issue 16: the desk's voice token
    admin = AdminServices(settings, engine, app[REDIS], app[ACD], clock)
    admin.setup(app)
    AuditHttp(AuditTrail(SqlAuditLog(engine))).setup(app)  # issue 18: GET /api/audit
    renderer = TwimlRenderer(app[IVR].flow, twilio.voices, twilio.hold_music_url)
    webhooks = TwilioWebhooks(
        app[CALLS],
        app[IVR],
        app[ENDING],
        signature,
        renderer,
        settings.server.public_base_url,
        queueing=app[ACD],
        deliveries=RedisDeliveries(app[REDIS], keys),  # issue 17: a retried status once
    )
    webhooks.setup(app)
    setup_live(app, webhooks)  # issue 16: hold, consult, recording, monitoring
    health.setup_fallbacks(app, webhooks)  # issue 17 (fallback): TwiML/AGI when a store is down
    policy = setup_outbound(app, pack, clock, webhooks)  # outage events start notices
    setup_desk_campaigns(app, pack, clock)  # dispositions, outbound pops, promises (issue 14)
    outages = OutageService(SqlOutageStore(engine), clock, settings.server.timezone, policy)
    OutagesHttp(outages).setup(app)
    SimulatorHttp(simulator).setup(app)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("agents", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
    )
    app[DESK].setup(app)
    app.router.add_static("/static/agents/", Path(agents.__file__).parent / "static")
    openapi.setup(app)

    app.cleanup_ctx.append(_stores(clock, announce or log.info))
    setup_journal(app)  # issue 17 (journal): call writes kept while the database is down
    app.cleanup_ctx.append(admin.live)  # stored queue settings, then reload on notices
    app.cleanup_ctx.append(_twilio_rest(rest))
    app.cleanup_ctx.append(routing_loop(keys))
    app.cleanup_ctx.append(socket_auth(keys))  # issue 18: sockets closed when tokens may not
    app.cleanup_ctx.append(_fastagi)
    app.cleanup_ctx.append(_ami)
    app.cleanup_ctx.append(dialing(keys))
    app.cleanup_ctx.append(policy.running)
    # --- the operations console (issue 14): /ops, its REST, socket and progress publisher
    setup_console(app, pack, clock)
    setup_webhooks(app, clock)  # outgoing webhooks (issue 15): API, publishers, worker
    setup_ticket_board(app, clock)  # issue 15 (board): /tickets/board, SLA summary
    setup_ticket_callbacks(app, pack)  # 回访 (issue 15): callbacks before closing, the task
    setup_recordings(app, clock)  # issue 16 (recordings): playback, retention sweep
    app[LITERAL_PATHS] = literal_paths(app)
    return app


async def _ami(app: web.Application) -> AsyncIterator[None]:
    """The AMI session, when `[asterisk] ami_host` is set: held by one instance at a time
    (the `ami` lease in Redis); another takes over when it lapses."""
    settings = app[SETTINGS].asterisk
    if not settings.ami_host:
        yield
        return
    secret = settings.ami_secret.get_secret_value() if settings.ami_secret else ""
    keys = Keys(app[SETTINGS].redis.key_prefix)
    relay = RedisRelay(app[REDIS], keys.ami_actions())
    ami = AsteriskAmi(
        AmiSettings(settings.ami_host, settings.ami_port, settings.ami_username, secret),
        app[CALLS],
        app[ENDING],
        relayed=relay.messages,
    )
    app[AMI] = ami
    app[ASTERISK_BRIDGE].ami = ami
    lease = RedisLease(app[REDIS], keys.lease("ami"))
    task = asyncio.create_task(run_while_leader(lease, ami.run), name="ami-lease")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _fastagi(app: web.Application) -> AsyncIterator[None]:
    """The FastAGI server, when `[asterisk] fastagi_listen` is set."""
    settings = app[SETTINGS]
    address = settings.asterisk.fastagi_address
    if address is None:
        yield
        return
    tts = EspeakTts(settings.prompts_dir)
    await _prompts_ready(tts, settings)
    secret = settings.asterisk.fastagi_secret
    gate = AgiGate.of(settings.asterisk.fastagi_allow, secret.get_secret_value() if secret else "")
    server = FastAgiServer(
        app[CALLS],
        app[IVR],
        app[ENDING],
        tts,
        queueing=app[ACD],
        offer_seconds=settings.routing.offer_seconds,
        campaign_calls=app[CAMPAIGN_CALLS],
        gate=gate,
        registry=app[METRICS],
    )
    app[FASTAGI] = server
    try:
        port = await server.start(*address)
    except OSError as err:
        raise ConfigError(f"asterisk.fastagi_listen: cannot listen on {address}: {err}") from err
    log.info("FastAGI server on %s:%d", address[0], port)
    try:
        yield
    finally:
        await server.close()


async def _prompts_ready(tts: EspeakTts, settings: Settings) -> None:
    """The flows' fixed prompts that have no sound file yet are rendered before Asterisk's
    first call; when they cannot be (espeak-ng missing) the server does not start."""
    flows = load_flows(default_flow_files(settings.ivr.flows_dir))
    try:
        count = await render_missing(tts, static_prompts(flows.values()))
    except (TtsError, OSError) as err:
        raise ConfigError(f"asterisk.prompts_dir: {err}") from err
    if count:
        log.info("rendered %d missing prompts into %s", count, tts.directory)


def _twilio_rest(rest: TwilioRest | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def session(app: web.Application) -> AsyncIterator[None]:
        client = rest if isinstance(rest, TwilioRestClient) else None
        if client is not None:
            await client.open()
        try:
            yield
        finally:
            if client is not None:
                await client.close()

    return session


def _stores(clock: Clock, announce: Announce) -> Callable[[web.Application], AsyncIterator[None]]:
    async def stores(app: web.Application) -> AsyncIterator[None]:
        settings, engine = app[SETTINGS], app[ENGINE]
        try:
            await db.ping(engine)
            if settings.database.migrate_on_start:
                await migrate.upgrade(engine)
            if settings.demo.load_on_first_start and not await seed.has_users(engine):
                await load_demo(app, clock, announce)
            await redis_state.ping(app[REDIS], settings.redis.url)
            if FAST_PG in app:
                await app[FAST_PG].open()
            yield
        finally:
            if FAST_PG in app:
                await app[FAST_PG].close()
            if LOCAL_SQL in app:
                await app[LOCAL_SQL].close()
            await app[REDIS].aclose()
            await db.dispose(engine)

    return stores


async def load_demo(app: web.Application, clock: Clock, announce: Announce) -> None:
    """Create the demo people, customers and outages, and announce the logins once."""
    settings, engine = app[SETTINGS], app[ENGINE]
    logins = await seed.seed_people(engine, app[AUTH])
    today = app[PROFILES].today()
    await seed.seed_customers(engine, settings.demo.customers, settings.demo.seed, today)
    await seed.seed_outages(engine, clock.now())
    examples = await seed.example_numbers(engine)
    base = f"http://{settings.server.host}:{settings.server.port}"
    announce(announce_demo(logins, examples, base, Path(settings.server.data_dir)))
