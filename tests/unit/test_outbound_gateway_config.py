"""The outbound Twilio settings: `twilio.api_base_url` and `twilio.calls_per_second`, from
the environment, and a bad value refused with the key named."""

from __future__ import annotations

import pytest

from callcenter.config import load_settings
from callcenter.core.errors import ConfigError


def test_the_api_base_url_and_the_call_rate_can_be_set() -> None:
    settings = load_settings(
        environ={
            "CALLCENTER_TWILIO__API_BASE_URL": "http://127.0.0.1:8099",
            "CALLCENTER_TWILIO__CALLS_PER_SECOND": "5",
        }
    )

    assert settings.twilio.api_base_url == "http://127.0.0.1:8099"
    assert settings.twilio.calls_per_second == 5.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CALLCENTER_TWILIO__API_BASE_URL", "api.twilio.com"),
        ("CALLCENTER_TWILIO__API_BASE_URL", ""),
        ("CALLCENTER_TWILIO__CALLS_PER_SECOND", "-1"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={key: value})

    assert key.removeprefix("CALLCENTER_").split("__")[1].lower() in str(raised.value)
