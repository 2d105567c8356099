"""Value types shared by sections of the settings: lists of addresses or networks, and URLs
that must carry no secret (a password in a URL ends up in logs and error messages; it is
accepted only from its own environment variable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from callcenter.core.addresses import checked_networks

# The validation error's type, so that `describe` never repeats the value.
SECRET_IN_URL = "secret_in_url"
PASSWORD_PARAMETERS = frozenset({"password", "passwd", "pwd"})

Networks = Annotated[list[str], AfterValidator(checked_networks)]


def has_password(url: str) -> bool:
    """Whether the URL holds a password: in its userinfo (`user:password@`, also before the
    host lists of `redis+sentinel://` and `redis+cluster://`) or a `password=` parameter."""
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and userinfo.partition(":")[2]:
        return True
    return any(name.lower() in PASSWORD_PARAMETERS for name, _ in parse_qsl(parts.query, True))


def _password_refused(section: str) -> Callable[[str], str]:
    def check(url: str) -> str:
        if url and has_password(url):
            raise PydanticCustomError(
                SECRET_IN_URL,
                f"put the password in CALLCENTER_{section.upper()}__PASSWORD, not in {section}.url",
            )
        return url

    return check


def _userinfo_refused(key: str, instead: str) -> Callable[[str], str]:
    def check(url: str) -> str:
        if "@" in urlsplit(url).netloc:
            raise PydanticCustomError(SECRET_IN_URL, f"no user or password in {key}: {instead}")
        return url

    return check


DatabaseUrl = Annotated[str, AfterValidator(_password_refused("database"))]
RedisUrl = Annotated[str, AfterValidator(_password_refused("redis"))]
PublicBaseUrl = Annotated[
    str,
    AfterValidator(
        _userinfo_refused("server.public_base_url", "it is written into TwiML and signed URLs")
    ),
]
TwilioApiUrl = Annotated[
    str,
    AfterValidator(
        _userinfo_refused(
            "twilio.api_base_url",
            "the REST client signs in with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
        )
    ),
]
WebrtcUrl = Annotated[
    str,
    AfterValidator(
        _userinfo_refused("asterisk.webrtc_ws_url", "it is handed to every agent's browser")
    ),
]


class Section(BaseModel):
    """A settings section: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
