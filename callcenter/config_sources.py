"""Where settings come from, as pydantic-settings sources: the TOML file (`--config` or
`CALLCENTER_CONFIG`), `CALLCENTER_<SECTION>__<KEY>` variables, and the variables Twilio's own
tools use. Secrets are accepted only from the environment; a mistake is a `ConfigError`
naming the key.

The environment is passed in as a mapping (the entry point hands over `os.environ`), so
nothing here reads the process environment behind the caller's back.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError

from callcenter.config_types import SECRET_IN_URL
from callcenter.core.errors import ConfigError

ENV_PREFIX = "CALLCENTER_"
ENV_CONFIG_FILE = "CALLCENTER_CONFIG"
ENV_TOKEN = "CALLCENTER_TOKEN"  # an API token for command-line clients, not a setting
SECRET_KEYS = frozenset(
    {
        ("database", "password"),
        ("redis", "password"),
        ("twilio", "auth_token"),
        ("twilio", "api_secret"),
        ("asterisk", "ami_secret"),
        ("asterisk", "fastagi_secret"),
    }
)
# Variables Twilio's own tools use, read as they are.
VENDOR_ENV = {
    "TWILIO_AUTH_TOKEN": ("twilio", "auth_token"),
    "TWILIO_ACCOUNT_SID": ("twilio", "account_sid"),
    "TWILIO_API_KEY": ("twilio", "api_key"),
    "TWILIO_API_SECRET": ("twilio", "api_secret"),
    "TWILIO_TWIML_APP_SID": ("twilio", "twiml_app_sid"),
}


class ConfigFileSource(TomlConfigSettingsSource):
    """The TOML file: must exist, parse, hold tables of keys, and carry no secret."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path}")
        try:
            super().__init__(settings_cls, toml_file=path)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}") from err
        except OSError as err:
            raise ConfigError(f"{path}: cannot be read: {err}") from err
        for section, keys in self.toml_data.items():
            if not isinstance(keys, dict):
                raise ConfigError(f"{path}: [{section}] must be a table, not a value")
            for key in keys:
                if (section, key) in SECRET_KEYS:
                    raise ConfigError(
                        f"{path}: {section}.{key} is a secret; set it in the environment "
                        f"as {env_name(section, key)}"
                    )


class CallcenterEnvSource(EnvSettingsSource):
    """`CALLCENTER_<SECTION>__<KEY>` variables of the given environment; a name that is not
    a known section and key is refused."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        for name, value in environ.items():
            if name.upper().startswith(ENV_PREFIX) and name.upper() not in (
                ENV_CONFIG_FILE,
                ENV_TOKEN,
            ):
                _check_env_var(settings_cls, name, value)
        super().__init__(
            settings_cls, case_sensitive=False, env_prefix=ENV_PREFIX, env_nested_delimiter="__"
        )
        self.env_vars = {name.lower(): value for name, value in environ.items()}

    def __call__(self) -> dict[str, Any]:
        try:
            return super().__call__()
        except SettingsError as err:  # a list or table value that is not JSON
            raise ConfigError(f"bad configuration: {err}") from err


class VendorEnvSource(PydanticBaseSettingsSource):
    """`TWILIO_AUTH_TOKEN`, `TWILIO_ACCOUNT_SID`, `TWILIO_API_KEY`, `TWILIO_API_SECRET` and
    `TWILIO_TWIML_APP_SID`, as Twilio's tools name them."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._environ = environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is given by __call__

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, (section, key) in VENDOR_ENV.items():
            if self._environ.get(name):
                found.setdefault(section, {})[key] = self._environ[name]
        return found


def merged(sources: Iterable[PydanticBaseSettingsSource]) -> dict[str, Any]:
    """The sources' values, the first source winning key by key within each section."""
    values: dict[str, Any] = {}
    for source in reversed(list(sources)):
        for section, keys in source().items():
            if isinstance(keys, dict) and isinstance(values.get(section), dict):
                values[section] = values[section] | keys
            else:
                values[section] = keys
    return values


def env_name(section: str, key: str) -> str:
    """The environment variable of a key."""
    return f"{ENV_PREFIX}{section.upper()}__{key.upper()}"


def absolute(value: str, base: Path) -> Path:
    """A configured path made absolute: a relative one is taken from `base`."""
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def describe(err: ValidationError) -> str:
    """A validation error as one line naming each key (secret values never shown)."""
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"{key}: unknown key")
        elif (
            tuple(str(part) for part in problem["loc"][:2]) in SECRET_KEYS
            or problem["type"] == SECRET_IN_URL
        ):
            lines.append(f"{key}: {problem['msg']}")
        else:
            lines.append(f"{key}: {problem['msg']} (got {problem.get('input')!r})")
    return "bad configuration: " + "; ".join(lines)


def _check_env_var(settings_cls: type[BaseSettings], name: str, value: str) -> None:
    annotation = _check_env_name(settings_cls, name)
    if get_origin(annotation) in (list, dict):
        try:
            json.loads(value)
        except ValueError as err:
            raise ConfigError(
                f"environment variable {name}: a list value, give it as JSON ({err})"
            ) from err


def _check_env_name(settings_cls: type[BaseSettings], name: str) -> Any:
    """The annotation of the key the variable names; `ConfigError` when there is none."""
    parts = name[len(ENV_PREFIX) :].lower().split("__")
    if len(parts) != 2 or not all(parts):
        raise ConfigError(f"environment variable {name}: expected {ENV_PREFIX}<SECTION>__<KEY>")
    section, key = parts
    fields = settings_cls.model_fields
    if section not in fields:
        raise ConfigError(f"environment variable {name}: unknown section {section!r}")
    annotation = fields[section].annotation
    model_fields = getattr(annotation, "model_fields", None)
    if not (isinstance(model_fields, dict) and key in model_fields):
        raise ConfigError(f"environment variable {name}: unknown key {section}.{key}")
    return model_fields[key].annotation
