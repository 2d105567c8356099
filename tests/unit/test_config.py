"""Settings: defaults, the documented file, environment overrides and clear errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from callcenter.config import Settings, load_settings
from callcenter.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_default_toml_documents_exactly_the_code_defaults() -> None:
    documented = tomllib.loads((ROOT / "config" / "default.toml").read_text(encoding="utf-8"))
    defaults = Settings().model_dump(
        exclude={
            "database": {"password"},
            "redis": {"password"},
            "twilio": {"auth_token", "account_sid", "api_key", "api_secret", "twiml_app_sid"},
            "asterisk": {"ami_secret", "fastagi_secret"},
        }
    )
    assert documented == defaults


def test_no_configuration_gives_embedded_defaults() -> None:
    settings = load_settings(None, {})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.redis.url == "memory://"


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nport = 9000\n[redis]\nurl = "redis://r:6379/0"\n')
    settings = load_settings(
        path,
        {
            "CALLCENTER_SERVER__PORT": "9100",
            "CALLCENTER_DATABASE__URL": "postgresql+asyncpg://cc@db/cc",
            "CALLCENTER_DATABASE__PASSWORD": "s3cret",
        },
    )
    assert settings.server.port == 9100
    assert settings.redis.url == "redis://r:6379/0"
    assert settings.database_url == "postgresql+asyncpg://cc:s3cret@db/cc"
    assert "s3cret" not in settings.database_url_masked


def test_config_file_from_environment_variable(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[demo]\ncustomers = 5\n")
    assert load_settings(None, {"CALLCENTER_CONFIG": str(path)}).demo.customers == 5


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[server]\nprot = 1\n", {}, "server.prot: unknown key"),
        ("[sever]\nport = 1\n", {}, "sever: unknown key"),
        ("[server]\nport = 70000\n", {}, "server.port"),
        ('[logging]\nlevel = "LOUD"\n', {}, "logging.level"),
        ("", {"CALLCENTER_SERVER__PROT": "1"}, "unknown key server.prot"),
        ("", {"CALLCENTER_SERVR__PORT": "1"}, "unknown section 'servr'"),
        ("", {"CALLCENTER_PORT": "1"}, "CALLCENTER_<SECTION>__<KEY>"),
        ("", {"CALLCENTER_SERVER__PORT": "eighty"}, "server.port"),
        ('[database]\npassword = "x"\n', {}, "CALLCENTER_DATABASE__PASSWORD"),
        ("[server\n", {}, "not valid TOML"),
        ("[ivr]\nlookup_timeout_seconds = 15\n", {}, "ivr.lookup_timeout_seconds"),
        ("", {"CALLCENTER_IVR__LOOKUP_TIMEOUT_SECONDS": "0"}, "ivr.lookup_timeout_seconds"),
        ("server = 1\n", {}, "must be a table"),
    ],
)
def test_bad_configuration_names_the_key(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env)
    assert message in caught.value.message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", {})


def test_secret_value_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            None, {"CALLCENTER_DATABASE__PASSWORD": ""} | {"CALLCENTER_DATABASE__POOL_SIZE": "0"}
        )
    assert "pool_size" in caught.value.message
