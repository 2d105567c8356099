"""Typed settings on pydantic-settings: code defaults, then a TOML file, then
`CALLCENTER_<SECTION>__<KEY>` (and `TWILIO_AUTH_TOKEN` / `TWILIO_ACCOUNT_SID`).

`config/default.toml` documents every key with its default (a test keeps the two equal).
Secrets are accepted only from the environment. An unknown key or a bad value raises
`ConfigError` naming the key, so the server refuses to start instead of guessing. Paths come
out absolute: `server.data_dir` from the configuration file's directory (the working directory
without a file), `asterisk.prompts_dir` from `data_dir`. The sources are in `config_sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from agents.models import DEFAULT_QUEUES, MaxWaitAction, QueueConfig
from callcenter.config_recording import KEEP_DAYS, RecordingSettings, RetentionDays
from callcenter.config_security import SecuritySettings
from callcenter.config_sources import (
    ENV_CONFIG_FILE,
    ENV_PREFIX,
    CallcenterEnvSource,
    ConfigFileSource,
    VendorEnvSource,
    absolute,
    describe,
    merged,
)
from callcenter.config_telephony import AsteriskSettings, TwilioSettings
from callcenter.config_types import DatabaseUrl, Networks, PublicBaseUrl, RedisUrl, Section
from callcenter.core.errors import ConfigError
from callcenter.core.policy import PolicyPack, pack_in_force, predictive_rules


class ServerSettings(Section):
    """The HTTP listener."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_base_url: PublicBaseUrl = ""
    data_dir: str = "data"
    max_body_bytes: int = Field(default=65536, ge=1024)
    timezone: str = "Asia/Shanghai"
    event_loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    # issue 18: proxies whose X-Forwarded-For is believed (addresses or networks)
    trusted_proxies: Networks = Field(default_factory=list)


class DatabaseSettings(Section):
    """The SQL store: empty url means SQLite in the data directory."""

    url: DatabaseUrl = ""
    password: SecretStr | None = None
    pool_size: int = Field(default=10, ge=1, le=200)
    migrate_on_start: bool = True
    echo: bool = False


class RedisSettings(Section):
    """Fast shared state: `memory://` is the in-process Redis-compatible store."""

    url: RedisUrl = "memory://"
    password: SecretStr | None = None
    key_prefix: str = Field(default="cc:", min_length=1)


class DemoSettings(Section):
    """Demo data loaded on the first start of an empty database."""

    load_on_first_start: bool = True
    customers: int = Field(default=2000, ge=0)
    seed: int = 95598


class LoggingSettings(Section):
    """Log output on stderr: one line per record, phone numbers masked, secrets hidden;
    `format` json (JSON lines) or text."""

    level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    format: str = Field(default="json", pattern="^(json|text)$")


class PolicySettings(Section):
    """Which jurisdiction's rules apply; `predictive` replaces the pack's predictive dialing
    rules (the abandon cap's window, the redial block) with those of cn, us or uk."""

    pack: str = "cn-sgcc"
    predictive: str = Field(default="", pattern=r"^(|cn|us|uk)$")

    def in_force(self, on: date) -> PolicyPack:
        """The pack in force on `on`, with the chosen predictive dialing rules."""
        pack = pack_in_force(self.pack, on)
        if not self.predictive:
            return pack
        outbound = replace(pack.outbound, predictive=predictive_rules(self.predictive))
        return replace(pack, outbound=outbound)


class IvrSettings(Section):
    """Where the flow files are, and how long a caller waits for a look-up before the flow
    takes its `unavailable` branch (a database that hangs rather than refuses)."""

    flows_dir: str = ""
    lookup_timeout_seconds: float = Field(default=3.0, gt=0, le=14)  # Twilio waits 15 s


class QueueSettings(Section):
    """One queue's service rules (0 or "" switch a rule off)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    service_level_seconds: int = Field(default=20, ge=1)
    service_level_goal: float = Field(default=0.8, gt=0, le=1)
    wrap_up_seconds: int = Field(default=30, ge=0)
    max_wait_seconds: int = Field(default=600, ge=1)
    overflow_after_seconds: int = Field(default=0, ge=0)
    overflow_queue: str = ""
    callback_offer_seconds: int = Field(default=120, ge=0)
    short_abandon_seconds: int = Field(default=5, ge=0)
    max_wait_action: MaxWaitAction = MaxWaitAction.CALLBACK
    record_calls: bool = True  # issue 16 (recordings): the agent's talk is recorded
    recording_retention_days: RetentionDays = KEEP_DAYS

    def config(self) -> QueueConfig:
        """As the router takes it."""
        return QueueConfig(
            self.name,
            self.service_level_seconds,
            self.service_level_goal,
            self.wrap_up_seconds,
            self.max_wait_seconds,
            self.overflow_after_seconds or None,
            self.overflow_queue or None,
            self.callback_offer_seconds or None,
            self.short_abandon_seconds,
            self.max_wait_action,
            self.record_calls,
            self.recording_retention_days,
        )


def _queue_settings(config: QueueConfig) -> QueueSettings:
    return QueueSettings(
        name=config.name,
        service_level_seconds=config.service_level_seconds,
        service_level_goal=config.service_level_goal,
        wrap_up_seconds=config.wrap_up_seconds,
        max_wait_seconds=config.max_wait_seconds,
        overflow_after_seconds=config.overflow_after_seconds or 0,
        overflow_queue=config.overflow_queue or "",
        callback_offer_seconds=config.callback_offer_seconds or 0,
        short_abandon_seconds=config.short_abandon_seconds,
        max_wait_action=config.max_wait_action,
        record_calls=config.record_calls,
        recording_retention_days=config.recording_retention_days,
    )


class RoutingSettings(Section):
    """Agents and queues: offers, timers and the queues' service rules."""

    offer_seconds: int = Field(default=20, ge=5, le=120)
    preferred_wait_seconds: int = Field(default=30, ge=0)
    tick_ms: int = Field(default=250, ge=20, le=5000)
    reconcile_seconds: int = Field(default=15, ge=1)
    agents_refresh_seconds: int = Field(default=30, ge=1)
    run_router: bool = True
    callback_tries: int = Field(default=3, ge=1, le=10)
    callback_retry_seconds: int = Field(default=300, ge=30, le=86400)
    queues: list[QueueSettings] = Field(
        default_factory=lambda: [_queue_settings(q) for q in DEFAULT_QUEUES], min_length=1
    )

    def queue_configs(self) -> list[QueueConfig]:
        """The queues as the router takes them."""
        return [q.config() for q in self.queues]


# --- outage-event policies and texts of notice campaigns ---


class OutagePolicySettings(Section):
    """Which campaigns outage events start: a notice to the affected when an outage is
    declared, an update when its ETR changes, a restoration notice when it is restored
    (to the callers who asked for one, or to them and everyone the earlier notices reached,
    or off); on which gateway, and whether they also text (`sms`)."""

    notice_on_create: bool = True
    etr_update: bool = True
    restoration: Literal["callers", "callers-and-notified", "off"] = "callers-and-notified"
    gateway: Literal["simulated", "twilio", "asterisk"] = "simulated"
    sms: bool = False


class TextSettings(Section):
    """Texts (SMS) of notice campaigns that ask for them: the sender number (empty: the
    caller id) and how many are sent per dialer round."""

    from_number: str = Field(default="", pattern=r"^(\+?\d{3,20})?$")
    per_round: int = Field(default=50, ge=1, le=10000)


class OutboundSettings(Section):
    """Outbound campaigns: the number callees see, the dialer loop (one instance dials a
    campaign at a time, under a lease in Redis), ring time, answering-machine detection,
    concurrency, and the simulated gateway's ring time and outcome seed."""

    caller_id: str = Field(default="+861095598", pattern=r"^\+?\d{3,20}$")
    run_dialer: bool = True
    tick_ms: int = Field(default=500, ge=20, le=10000)
    scan_seconds: float = Field(default=2.0, gt=0, le=300)
    lease_seconds: float = Field(default=15.0, ge=1, le=600)
    reconcile_seconds: float = Field(default=30.0, ge=1)
    ring_seconds: int = Field(default=30, ge=15, le=120)
    machine_detection: bool = True
    campaign_concurrency: int = Field(default=50, ge=1, le=10000)
    gateway_concurrency: int = Field(default=100, ge=1, le=10000)
    simulated_ring_seconds: float = Field(default=2.0, ge=0, le=120)
    simulated_seed: int = 0
    preview_seconds: int = Field(default=120, ge=10, le=1800)
    handle_seconds: int = Field(default=180, ge=10, le=3600)
    outage_policy: OutagePolicySettings = OutagePolicySettings()
    texts: TextSettings = TextSettings()


# --- outgoing webhooks (issue 15)
class WebhookSettings(Section):
    """Outgoing webhooks: the delivery worker (one per instance) polls the outbox every
    `poll_seconds` and posts up to `batch` deliveries at a time, each request cut after
    `timeout_seconds`; a failed delivery is tried again after `backoff_base_seconds`,
    doubling up to `backoff_max_seconds` (with jitter), `max_attempts` tries in all."""

    run_worker: bool = True
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    max_attempts: int = Field(default=12, ge=1, le=50)
    backoff_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    backoff_max_seconds: float = Field(default=21600.0, gt=0, le=604800)
    poll_seconds: float = Field(default=2.0, gt=0, le=300)
    batch: int = Field(default=20, ge=1, le=500)


class TicketSettings(Section):
    """Tickets: where `run_sweep` is on (an instance that also routes: `[routing]
    run_router`), the SLA sweep announces the warnings and breaches fallen due every
    `sweep_seconds`, `sweep_batch` tickets at a time."""

    run_sweep: bool = True
    sweep_seconds: float = Field(default=30.0, gt=0, le=3600)
    sweep_batch: int = Field(default=500, ge=1, le=10000)


# --- issue 17 (journal): the local journal of call writes while the database is down
class StorageSettings(Section):
    """Local files of the SQL store."""

    journal: bool = True
    journal_dir: str = ""


class Settings(BaseSettings):
    """Everything the server needs, passed down from the entry point. `Settings()` is the
    code defaults alone; `load_settings` adds the file and the environment."""

    model_config = SettingsConfigDict(
        extra="forbid", frozen=True, env_prefix=ENV_PREFIX, env_nested_delimiter="__"
    )

    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    demo: DemoSettings = DemoSettings()
    logging: LoggingSettings = LoggingSettings()
    policy: PolicySettings = PolicySettings()
    ivr: IvrSettings = IvrSettings()
    twilio: TwilioSettings = TwilioSettings()
    routing: RoutingSettings = RoutingSettings()
    asterisk: AsteriskSettings = AsteriskSettings()
    outbound: OutboundSettings = OutboundSettings()
    webhooks: WebhookSettings = WebhookSettings()  # issue 15
    tickets: TicketSettings = TicketSettings()
    recording: RecordingSettings = RecordingSettings()  # issue 16 (recordings)
    storage: StorageSettings = StorageSettings()  # issue 17 (journal)
    security: SecuritySettings = SecuritySettings()  # issue 18

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what is passed in: `load_settings` gathers the file and the environment it
        is given, so nothing reads the process environment on its own."""
        return (init_settings,)

    @property
    def prompts_dir(self) -> Path:
        """Where rendered prompts are kept for Asterisk."""
        return Path(self.asterisk.prompts_dir or Path(self.server.data_dir) / "prompts")

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL with the password from the environment put in."""
        if not self.database.url:
            path = Path(self.server.data_dir) / "callcenter.db"
            return f"sqlite+aiosqlite:///{path}"
        url = make_url(self.database.url)
        if self.database.password is not None:
            url = url.set(password=self.database.password.get_secret_value())
        return url.render_as_string(hide_password=False)

    @property
    def database_url_masked(self) -> str:
        """The database URL safe to print."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database file, when the database is one."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)

    def warnings(self) -> list[str]:
        """Settings that work but are likely a mistake, one sentence each."""
        found = []
        if self.twilio.auth_token is not None and not self.server.public_base_url:
            found.append(
                "Twilio is configured (TWILIO_AUTH_TOKEN) but server.public_base_url is not "
                "set: webhook signatures and the URLs in TwiML then follow the Host header, "
                "which a proxy may rewrite; set it to the https address Twilio calls"
            )
        return found


def load_settings(
    config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings from defaults, an optional TOML file (`config_file`, else
    `CALLCENTER_CONFIG`) and the environment `environ` (which wins over the file)."""
    env = dict(environ or {})
    name = config_file or env.get(ENV_CONFIG_FILE)
    path = Path(name).expanduser().absolute() if name else None
    sources: list[PydanticBaseSettingsSource] = [
        CallcenterEnvSource(Settings, env),
        VendorEnvSource(Settings, env),
    ]
    if path is not None:
        sources.append(ConfigFileSource(Settings, path))
    try:
        settings = Settings(**merged(sources))
    except ValidationError as err:
        raise ConfigError(describe(err)) from err
    return _with_absolute_paths(settings, path.parent if path is not None else Path.cwd())


def _with_absolute_paths(settings: Settings, base: Path) -> Settings:
    data_dir = absolute(settings.server.data_dir, base)
    prompts_dir = absolute(settings.asterisk.prompts_dir or "prompts", data_dir)
    return settings.model_copy(
        update={
            "server": settings.server.model_copy(update={"data_dir": str(data_dir)}),
            "asterisk": settings.asterisk.model_copy(update={"prompts_dir": str(prompts_dir)}),
        }
    )
