"""The telephony sections of the settings: `[twilio]` and `[asterisk]`."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from callcenter.config_types import Networks, Section, TwilioApiUrl, WebrtcUrl
from callcenter.core.addresses import is_loopback

__all__ = ["AsteriskSettings", "TwilioSettings"]


FASTAGI_SECRET = re.compile(r"[A-Za-z0-9._~-]{16,128}")


class TwilioSettings(Section):
    """The Twilio adapter; the credentials come from TWILIO_AUTH_TOKEN / TWILIO_ACCOUNT_SID."""

    entry_flow: str = "95598"
    hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    session_ttl_seconds: int = Field(default=7200, ge=60)
    # <Say> voice per language, e.g. {"zh-CN" = "Polly.Zhiyu", "en-US" = "Polly.Joanna"};
    # a language not listed is spoken with Twilio's default voice for it.
    voices: dict[str, str] = Field(default_factory=dict)
    auth_token: SecretStr | None = None
    account_sid: str | None = None
    # Outbound campaigns: the REST API's address (a Twilio-compatible provider or a local
    # fake may stand in) and the call starts a second per caller-id number (0: no limit).
    api_base_url: TwilioApiUrl = Field(
        default="https://api.twilio.com", pattern=r"^https?://[^\s/]+"
    )
    calls_per_second: float = Field(default=1.0, ge=0, le=1000)
    # The desk's softphone (Voice JS SDK): an API key with its secret and the TwiML App the
    # devices call through, from TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_TWIML_APP_SID;
    # tokens live `voice_token_ttl_seconds` (Twilio accepts at most 24 h).
    api_key: str | None = Field(default=None, pattern=r"^SK[0-9a-fA-F]{32}$")
    api_secret: SecretStr | None = None
    twiml_app_sid: str | None = Field(default=None, pattern=r"^AP[0-9a-fA-F]{32}$")
    voice_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # issue 17 (fallback): when a store fails behind a webhook, the caller hears an apology,
    # then is dialled to this number (a duty desk) or, without one, retried this many times
    fallback_number: str = Field(default="", pattern=r"^$|^\+?[0-9]{3,20}$|^sip:\S+$")
    fallback_retries: int = Field(default=2, ge=0, le=10)


class AsteriskSettings(Section):
    """The Asterisk adapter. The FastAGI server runs when `fastagi_listen` is set
    ("127.0.0.1:4573"); prompts are rendered by espeak-ng into `prompts_dir` (default
    `<data_dir>/prompts`), which Asterisk must be able to read. The AMI secret comes from
    CALLCENTER_ASTERISK__AMI_SECRET.

    Issue 18: FastAGI sessions are taken only from `fastagi_allow` (addresses or networks) and,
    when `fastagi_secret` is set (CALLCENTER_ASTERISK__FASTAGI_SECRET), only with the secret
    as the first part of the AGI URL's path (`agi://host:4573/<secret>/ivr`). Listening beyond
    loopback without a secret is refused."""

    fastagi_listen: str = Field(default="", pattern=r"^$|^[^\s:]+:\d{1,5}$")
    fastagi_allow: Networks = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    fastagi_secret: SecretStr | None = Field(default=None, validate_default=True)
    prompts_dir: str = ""
    ami_host: str = ""
    ami_port: int = Field(default=5038, ge=1, le=65535)
    ami_username: str = "callcenter"
    ami_secret: SecretStr | None = None
    # issue 16 (the live call on Asterisk): where MixMonitor writes call-<call id>.wav
    recording_dir: str = "/var/spool/asterisk/monitor"
    # issue 16 (softphone): the desk's WebRTC softphone registers with JsSIP over this
    # WebSocket (PJSIP's WSS transport, http.conf's TLS server) in this SIP domain
    webrtc_ws_url: WebrtcUrl = Field(default="", pattern=r"^$|^wss?://\S+$")
    webrtc_domain: str = Field(default="", pattern=r"^$|^[A-Za-z0-9.:\[\]-]{1,253}$")
    # issue 17 (fallback): CC_FALLBACK_NUMBER, what the dialplan dials when a session fails
    fallback_number: str = Field(default="", pattern=r"^$|^[^\s,()]{1,200}$")

    @field_validator("fastagi_secret")
    @classmethod
    def _secret_beyond_loopback(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        if value is not None and not FASTAGI_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                "16 to 128 letters, digits, '-', '_', '.' or '~' (it goes into the AGI URL's "
                "path), e.g. from `openssl rand -hex 16`"
            )
        host = str(info.data.get("fastagi_listen", "")).rpartition(":")[0]
        if value is None and host and not is_loopback(host):
            raise ValueError(
                f"FastAGI listens on {host}, beyond loopback: set a shared secret in "
                "CALLCENTER_ASTERISK__FASTAGI_SECRET (e.g. `openssl rand -hex 16`) and in the "
                "dialplan's CALLCENTER_AGI (agi://host:port/<secret>)"
            )
        return value

    @property
    def fastagi_address(self) -> tuple[str, int] | None:
        """(host, port) to listen on, or None."""
        if not self.fastagi_listen:
            return None
        host, port = self.fastagi_listen.rsplit(":", 1)
        return host, int(port)
