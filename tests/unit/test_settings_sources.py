"""Settings on pydantic-settings: absolute paths from the start, the environment given (never
the process's own), JSON for list values, Twilio's own variables, secrets refused in a file,
and the warnings about settings that work but are likely a mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from callcenter.config import Settings, load_settings
from callcenter.core.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_are_pydantic_settings_and_read_no_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLCENTER_SERVER__PORT", "9999")
    assert issubclass(Settings, BaseSettings)
    assert Settings().server.port == 8080
    assert load_settings(None, {}).server.port == 8080


@pytest.mark.parametrize(
    ("file_text", "env", "data_dir", "prompts_dir"),
    [
        ("", {}, "etc/data", "etc/data/prompts"),
        ('[server]\ndata_dir = "../var"\n', {}, "var", "var/prompts"),
        ('[asterisk]\nprompts_dir = "sounds/cc"\n', {}, "etc/data", "etc/data/sounds/cc"),
        ("", {"CALLCENTER_SERVER__DATA_DIR": "/srv/cc"}, "/srv/cc", "/srv/cc/prompts"),
        ("", {"CALLCENTER_ASTERISK__PROMPTS_DIR": "/snd"}, "etc/data", "/snd"),
    ],
)
def test_paths_from_a_file_are_absolute_from_its_directory(
    tmp_path: Path, file_text: str, env: dict[str, str], data_dir: str, prompts_dir: str
) -> None:
    path = write(tmp_path / "etc" / "cc.toml", file_text)
    settings = load_settings(path, env)
    assert settings.server.data_dir == str(tmp_path / data_dir)
    assert settings.prompts_dir == tmp_path / prompts_dir
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / data_dir}/callcenter.db"


def test_paths_without_a_file_are_absolute_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {"CALLCENTER_ASTERISK__PROMPTS_DIR": "snd"})
    assert settings.server.data_dir == str(tmp_path / "data")
    assert settings.prompts_dir == tmp_path / "data" / "snd"
    assert settings.prompts_dir.is_absolute()


def test_a_list_value_in_the_environment_is_json() -> None:
    queues = '[{"name": "general"}, {"name": "fault", "overflow_queue": "general"}]'
    settings = load_settings(None, {"CALLCENTER_ROUTING__QUEUES": queues})
    assert [q.name for q in settings.routing.queues] == ["general", "fault"]
    with pytest.raises(
        ConfigError, match="CALLCENTER_ROUTING__QUEUES: a list value, give it as JSON"
    ):
        load_settings(None, {"CALLCENTER_ROUTING__QUEUES": "general,fault"})


def test_twilio_variables_are_read_and_ours_win() -> None:
    settings = load_settings(None, {"TWILIO_AUTH_TOKEN": "t1", "TWILIO_ACCOUNT_SID": "AC1"})
    assert settings.twilio.auth_token is not None
    assert settings.twilio.auth_token.get_secret_value() == "t1"
    assert settings.twilio.account_sid == "AC1"
    settings = load_settings(
        None, {"TWILIO_AUTH_TOKEN": "t1", "CALLCENTER_TWILIO__AUTH_TOKEN": "t2"}
    )
    assert settings.twilio.auth_token is not None
    assert settings.twilio.auth_token.get_secret_value() == "t2"


@pytest.mark.parametrize(
    ("section", "key", "variable"),
    [
        ("database", "password", "CALLCENTER_DATABASE__PASSWORD"),
        ("redis", "password", "CALLCENTER_REDIS__PASSWORD"),
        ("twilio", "auth_token", "CALLCENTER_TWILIO__AUTH_TOKEN"),
        ("asterisk", "ami_secret", "CALLCENTER_ASTERISK__AMI_SECRET"),
    ],
)
def test_a_secret_in_the_file_is_refused_naming_the_variable(
    tmp_path: Path, section: str, key: str, variable: str
) -> None:
    path = write(tmp_path / "c.toml", f'[{section}]\n{key} = "hunter2"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert f"{section}.{key} is a secret" in caught.value.message
    assert variable in caught.value.message and "hunter2" not in caught.value.message


@pytest.mark.parametrize(
    ("env", "warned"),
    [
        ({}, False),
        ({"TWILIO_AUTH_TOKEN": "t"}, True),
        (
            {"TWILIO_AUTH_TOKEN": "t", "CALLCENTER_SERVER__PUBLIC_BASE_URL": "https://h.example"},
            False,
        ),
    ],
)
def test_twilio_without_a_public_base_url_is_warned_about(
    env: dict[str, str], warned: bool
) -> None:
    found = load_settings(None, env).warnings()
    assert bool(found) is warned
    assert all("server.public_base_url" in w for w in found)
