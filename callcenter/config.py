"""Typed settings: code defaults, then a TOML file, then `CALLCENTER_<SECTION>__<KEY>`.

`config/default.toml` documents every key with its default (a test keeps the two equal).
Secrets are accepted only from the environment. An unknown key or a bad value raises
`ConfigError` naming the key, so the server refuses to start instead of guessing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from sqlalchemy.engine import make_url

from agents.models import DEFAULT_QUEUES, MaxWaitAction, QueueConfig
from callcenter.core.errors import ConfigError

ENV_PREFIX = "CALLCENTER_"
ENV_CONFIG_FILE = "CALLCENTER_CONFIG"
ENV_TOKEN = "CALLCENTER_TOKEN"  # an API token for command-line clients, not a setting


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    """The HTTP listener."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_base_url: str = ""
    data_dir: str = "data"
    max_body_bytes: int = Field(default=65536, ge=1024)
    timezone: str = "Asia/Shanghai"


class DatabaseSettings(_Section):
    """The SQL store: empty url means SQLite in the data directory."""

    url: str = ""
    password: SecretStr | None = None
    pool_size: int = Field(default=10, ge=1, le=200)
    migrate_on_start: bool = True
    echo: bool = False


class RedisSettings(_Section):
    """Fast shared state: `memory://` is the in-process Redis-compatible store."""

    url: str = "memory://"
    password: SecretStr | None = None
    key_prefix: str = Field(default="cc:", min_length=1)


class DemoSettings(_Section):
    """Demo data loaded on the first start of an empty database."""

    load_on_first_start: bool = True
    customers: int = Field(default=2000, ge=0)
    seed: int = 95598


class LoggingSettings(_Section):
    """Log output."""

    level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")


class PolicySettings(_Section):
    """Which jurisdiction's rules apply."""

    pack: str = "cn-sgcc"


class IvrSettings(_Section):
    """Where the flow files are."""

    flows_dir: str = ""


class TwilioSettings(_Section):
    """The Twilio adapter; the credentials come from TWILIO_AUTH_TOKEN / TWILIO_ACCOUNT_SID."""

    entry_flow: str = "95598"
    hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    session_ttl_seconds: int = Field(default=7200, ge=60)
    # <Say> voice per language, e.g. {"zh-CN" = "Polly.Zhiyu", "en-US" = "Polly.Joanna"};
    # a language not listed is spoken with Twilio's default voice for it.
    voices: dict[str, str] = Field(default_factory=dict)
    auth_token: SecretStr | None = None
    account_sid: str | None = None


class QueueSettings(_Section):
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
    )


class RoutingSettings(_Section):
    """Agents and queues: offers, timers and the queues' service rules."""

    offer_seconds: int = Field(default=20, ge=5, le=120)
    preferred_wait_seconds: int = Field(default=30, ge=0)
    tick_ms: int = Field(default=250, ge=20, le=5000)
    reconcile_seconds: int = Field(default=15, ge=1)
    agents_refresh_seconds: int = Field(default=30, ge=1)
    run_router: bool = True
    queues: list[QueueSettings] = Field(
        default_factory=lambda: [_queue_settings(q) for q in DEFAULT_QUEUES], min_length=1
    )

    def queue_configs(self) -> list[QueueConfig]:
        """The queues as the router takes them."""
        return [q.config() for q in self.queues]


class AsteriskSettings(_Section):
    """The Asterisk adapter. The FastAGI server runs when `fastagi_listen` is set
    ("127.0.0.1:4573"); prompts are rendered by espeak-ng into `prompts_dir` (default
    `<data_dir>/prompts`), which Asterisk must be able to read. The AMI secret comes from
    CALLCENTER_ASTERISK__AMI_SECRET."""

    fastagi_listen: str = Field(default="", pattern=r"^$|^[^\s:]+:\d{1,5}$")
    prompts_dir: str = ""
    ami_host: str = ""
    ami_port: int = Field(default=5038, ge=1, le=65535)
    ami_username: str = "callcenter"
    ami_secret: SecretStr | None = None

    @property
    def fastagi_address(self) -> tuple[str, int] | None:
        """(host, port) to listen on, or None."""
        if not self.fastagi_listen:
            return None
        host, port = self.fastagi_listen.rsplit(":", 1)
        return host, int(port)


class Settings(_Section):
    """Everything the server needs, passed down from the entry point."""

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


SECRET_KEYS = frozenset(
    {
        ("database", "password"),
        ("redis", "password"),
        ("twilio", "auth_token"),
        ("asterisk", "ami_secret"),
    }
)
# Variables Twilio's own tools use, read as they are.
VENDOR_ENV = {
    "TWILIO_AUTH_TOKEN": ("twilio", "auth_token"),
    "TWILIO_ACCOUNT_SID": ("twilio", "account_sid"),
}


def load_settings(
    config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings from defaults, an optional TOML file and the environment."""
    env = dict(environ or {})
    data: dict[str, dict[str, Any]] = {}
    path = config_file or env.get(ENV_CONFIG_FILE)
    if path:
        data = _read_toml(Path(path))
    for name, (section, key) in VENDOR_ENV.items():
        if env.get(name):
            data.setdefault(section, {})[key] = env[name]
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in (ENV_CONFIG_FILE, ENV_TOKEN):
            continue
        section, key = _env_key(name)
        data.setdefault(section, {})[key] = value
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(err)) from err


def _read_toml(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"configuration file not found: {path}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    for section, keys in data.items():
        if not isinstance(keys, dict):
            raise ConfigError(f"{path}: [{section}] must be a table, not a value")
        for key in keys:
            if (section, key) in SECRET_KEYS:
                env_name = f"{ENV_PREFIX}{section.upper()}__{key.upper()}"
                raise ConfigError(
                    f"{path}: {section}.{key} is a secret; set it in the environment as {env_name}"
                )
    return data


def _env_key(name: str) -> tuple[str, str]:
    parts = name[len(ENV_PREFIX) :].lower().split("__")
    if len(parts) != 2 or not all(parts):
        raise ConfigError(f"environment variable {name}: expected {ENV_PREFIX}<SECTION>__<KEY>")
    section, key = parts
    fields = Settings.model_fields
    if section not in fields:
        raise ConfigError(f"environment variable {name}: unknown section {section!r}")
    annotation = fields[section].annotation
    if not (isinstance(annotation, type) and key in annotation.model_fields):
        raise ConfigError(f"environment variable {name}: unknown key {section}.{key}")
    return section, key


def _describe(err: ValidationError) -> str:
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown key")
        elif tuple(str(part) for part in problem["loc"][:2]) in SECRET_KEYS:
            lines.append(f"{key}: {problem['msg']}")
        else:
            lines.append(f"{key}: {problem['msg']} (got {problem.get('input')!r})")
    return "bad configuration: " + "; ".join(lines)
