"""Voice access tokens for the desk's softphone, checked with the twilio library: signed with
the API key's secret, issued by the key for the account, the agent's identity, a VoiceGrant
that takes incoming calls and places calls through the TwiML App, and a lifetime of the
configured length; a later request gets a later expiry (the desk's refresh)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from twilio.jwt import JwtDecodeError
from twilio.jwt.access_token import AccessToken

from agents.ports import AgentInfo
from agents.softphone import NotATwilioClientError, SoftphoneNotConfiguredError, Softphones
from callcenter.app import voice_tokens
from callcenter.config import load_settings
from callcenter.telephony.twilio.voice_token import TwilioVoiceTokens

ACCOUNT = "AC" + "1" * 32
KEY = "SK" + "2" * 32
SECRET = "s" * 32  # an API key secret is 32 characters
APP = "AP" + "3" * 32


def issuer(ttl: int = 600, wall: float | None = None) -> TwilioVoiceTokens:
    clock = time.time if wall is None else (lambda: wall)
    return TwilioVoiceTokens(ACCOUNT, KEY, SECRET, APP, ttl, clock)


def agent(kind: str = "twilio_client", address: str = "agent01") -> AgentInfo:
    return AgentInfo(1, "agent01", "坐席", kind, address, frozenset({"zh-CN"}), {}, {})


def test_the_token_carries_the_identity_and_the_voice_grant() -> None:
    issued = issuer().issue("agent01")
    decoded = AccessToken.from_jwt(issued.token, SECRET)
    claims = decoded.payload
    assert (claims["iss"], claims["sub"]) == (KEY, ACCOUNT)
    assert claims["grants"]["identity"] == "agent01" == issued.identity
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": APP},
    }
    assert claims["exp"] - claims["nbf"] == 600
    assert datetime.fromtimestamp(claims["exp"], UTC) == issued.expires_at
    assert decoded.headers["cty"] == "twilio-fpa;v=1"


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(JwtDecodeError):
        AccessToken.from_jwt(issuer().issue("agent01").token, "t" * 32)


def test_a_later_token_expires_later() -> None:
    first = issuer(ttl=3600, wall=1_800_000_000).issue("agent01")
    later = issuer(ttl=3600, wall=1_800_003_000).issue("agent01")
    assert (later.expires_at - first.expires_at).total_seconds() == 3000
    assert first.expires_at == datetime.fromtimestamp(1_800_003_600, UTC)


def test_an_expired_token_is_refused() -> None:
    stale = issuer(ttl=60, wall=time.time() - 3600).issue("agent01")
    with pytest.raises(JwtDecodeError):
        AccessToken.from_jwt(stale.token, SECRET)


@pytest.mark.parametrize(
    "missing", ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_TWIML_APP_SID"]
)
def test_each_setting_is_needed(missing: str) -> None:
    env = {
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_API_KEY": KEY,
        "TWILIO_API_SECRET": SECRET,
        "TWILIO_TWIML_APP_SID": APP,
    }
    assert voice_tokens(load_settings(None, env).twilio) is not None
    del env[missing]
    assert voice_tokens(load_settings(None, env).twilio) is None


def test_without_an_issuer_or_with_another_device_there_is_no_token() -> None:
    with pytest.raises(SoftphoneNotConfiguredError):
        Softphones(None).token_for(agent())
    with pytest.raises(NotATwilioClientError):
        Softphones(issuer()).token_for(agent("sip", "1001"))
    assert Softphones(issuer()).token_for(agent()).identity == "agent01"
