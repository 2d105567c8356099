"""Issue 18: a password inside a URL setting is refused at start, naming the variable to use
instead (and never repeated in the message); the FastAGI secret is a secret like the others,
and required when the server listens beyond loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.config import load_settings
from callcenter.core.errors import ConfigError

PASSWORD = "Pa55word-in-url"
DB_INSTEAD = "put the password in CALLCENTER_DATABASE__PASSWORD, not in database.url"
REDIS_INSTEAD = "put the password in CALLCENTER_REDIS__PASSWORD, not in redis.url"
SECRET = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("DATABASE__URL", f"postgresql+asyncpg://cc:{PASSWORD}@db:5432/cc", DB_INSTEAD),
        ("DATABASE__URL", f"postgresql+asyncpg://cc@db/cc?password={PASSWORD}", DB_INSTEAD),
        ("REDIS__URL", f"redis://:{PASSWORD}@r:6379/0", REDIS_INSTEAD),
        ("REDIS__URL", f"rediss://cc:{PASSWORD}@r:6380/0", REDIS_INSTEAD),
        ("REDIS__URL", f"unix:///run/redis.sock?db=0&password={PASSWORD}", REDIS_INSTEAD),
        ("REDIS__URL", f"redis+sentinel://:{PASSWORD}@s1:26379,s2:26379/main", REDIS_INSTEAD),
        ("REDIS__URL", f"redis+cluster://cc:{PASSWORD}@n1:7000,n2:7001", REDIS_INSTEAD),
        ("SERVER__PUBLIC_BASE_URL", f"https://cc:{PASSWORD}@hotline.example", "public_base_url"),
        ("TWILIO__API_BASE_URL", f"https://AC1:{PASSWORD}@api.example", "TWILIO_AUTH_TOKEN"),
        ("ASTERISK__WEBRTC_WS_URL", f"wss://a:{PASSWORD}@pbx.example:8089/ws", "webrtc_ws_url"),
    ],
)
def test_a_password_in_a_url_is_refused_naming_where_it_belongs(
    name: str, url: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {f"CALLCENTER_{name}": url})
    assert message in caught.value.message
    assert PASSWORD not in caught.value.message


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        (f'[database]\nurl = "pg://cc:{PASSWORD}@db/cc"\n', "CALLCENTER_DATABASE__PASSWORD"),
        (f'[asterisk]\nfastagi_secret = "{PASSWORD}"\n', "CALLCENTER_ASTERISK__FASTAGI_SECRET"),
    ],
)
def test_a_secret_in_the_file_is_refused_naming_its_variable(
    tmp_path: Path, text: str, variable: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=variable) as caught:
        load_settings(path, {})
    assert PASSWORD not in caught.value.message


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("DATABASE__URL", "postgresql+asyncpg://cc@db:5432/cc"),
        ("REDIS__URL", "redis://cc@r:6379/0"),
        ("REDIS__URL", "redis+sentinel://s1:26379,s2:26379/main/1"),
        ("SERVER__PUBLIC_BASE_URL", "https://hotline.example/base"),
    ],
)
def test_a_user_name_without_password_is_fine(name: str, url: str) -> None:
    load_settings(None, {f"CALLCENTER_{name}": url, "CALLCENTER_DATABASE__PASSWORD": "x"})


def test_the_fastagi_secret_comes_from_the_environment() -> None:
    env = {"CALLCENTER_ASTERISK__FASTAGI_SECRET": SECRET}
    secret = load_settings(None, env).asterisk.fastagi_secret
    assert secret is not None and secret.get_secret_value() == SECRET


@pytest.mark.parametrize("listen", ["0.0.0.0:4573", "10.0.0.5:4573", "pbx-lan.example:4573"])
def test_fastagi_beyond_loopback_without_a_secret_does_not_start(listen: str) -> None:
    env = {"CALLCENTER_ASTERISK__FASTAGI_LISTEN": listen, "CALLCENTER_ASTERISK__AMI_SECRET": "am1"}
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env)
    assert "beyond loopback" in caught.value.message
    assert "CALLCENTER_ASTERISK__FASTAGI_SECRET" in caught.value.message
    assert "am1" not in caught.value.message
    load_settings(None, env | {"CALLCENTER_ASTERISK__FASTAGI_SECRET": SECRET})


@pytest.mark.parametrize("listen", ["127.0.0.1:4573", "localhost:4573", ""])
def test_fastagi_on_loopback_may_run_without_a_secret(listen: str) -> None:
    settings = load_settings(None, {"CALLCENTER_ASTERISK__FASTAGI_LISTEN": listen})
    assert settings.asterisk.fastagi_secret is None
    assert settings.asterisk.fastagi_allow == ["127.0.0.1", "::1"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CALLCENTER_ASTERISK__FASTAGI_SECRET": "short"}, "16 to 128"),
        ({"CALLCENTER_ASTERISK__FASTAGI_SECRET": "a/b" * 8}, "16 to 128"),  # breaks the path
        ({"CALLCENTER_ASTERISK__FASTAGI_ALLOW": '["10.0.0.0/33"]'}, "'10.0.0.0/33'"),
    ],
)
def test_a_bad_fastagi_secret_or_allow_list_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(None, env)
    assert "a/ba/b" not in caught.value.message
