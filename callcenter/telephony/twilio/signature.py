"""Who may call the Twilio webhooks: Twilio itself (`X-Twilio-Signature` against the URL
Twilio called, or the configured public URL), or the simulator (`callcenter ivr simulate
--server`: an operator or admin API token with `X-Callcenter-Simulated: 1`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import web
from twilio.request_validator import RequestValidator

from agents.models import SIMULATOR
from callcenter.core.api import Principal, Role

SIMULATED_HEADER = "X-Callcenter-Simulated"
SIMULATOR_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
SIMULATOR_PROVIDER = SIMULATOR  # the provider of a simulated call's routing data (its bridge)
# Added to the parameters of a simulated request after the check (never signed by Twilio, and
# removed from Twilio-signed requests), so the handlers can mark the call they store.
SIMULATED_PARAM = "X-Callcenter-Simulated"

SIMULATED_REFUSED = (
    "a simulated webhook needs X-Callcenter-Simulated: 1 and a valid operator or admin token"
)

Authenticate = Callable[[str], Awaitable[Principal | None]]


class Verdict(StrEnum):
    """The outcome of a webhook check."""

    TWILIO_SIGNED = "twilio-signed"
    SIMULATED = "simulated"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class WebhookCheck:
    """The verdict, why when refused, and the parameters the handler should see."""

    verdict: Verdict
    reason: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        """True when the request must be answered 403 and store nothing."""
        return self.verdict is Verdict.REFUSED


def is_simulated(params: Mapping[str, str]) -> bool:
    """True for the parameters of a request the check found simulated."""
    return params.get(SIMULATED_PARAM) == "1"


def provider_of(params: Mapping[str, str], provider: str) -> str:
    """The provider a call's routing data names: the simulator for simulated requests."""
    return SIMULATOR_PROVIDER if is_simulated(params) else provider


class TwilioSignature:
    """Validates webhook requests with the account's auth token, or a simulator's API token
    with `authenticate` (the auth service's token check)."""

    def __init__(
        self, auth_token: str | None, public_base_url: str, authenticate: Authenticate | None = None
    ) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._key = (auth_token or "").encode()
        self._base = public_base_url.rstrip("/")
        self._authenticate = authenticate

    @property
    def configured(self) -> bool:
        """False when no auth token is set: every webhook from Twilio is then refused."""
        return self._validator is not None

    def url_of(self, request: web.Request) -> str:
        """The URL Twilio signed: the public base URL + path and query, or the request URL."""
        if self._base:
            return self._base + request.rel_url.raw_path_qs
        return str(request.url)

    def valid(self, request: web.Request, params: Mapping[str, str]) -> bool:
        """True when the signature header matches the URL and every parameter."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if self._validator is None or not signature:
            return False
        url = self.url_of(request)
        if hmac.compare_digest(self._sign(url, params), signature):
            return True  # the common case, one HMAC; else Twilio's checks (the URL's port)
        return bool(self._validator.validate(url, dict(params), signature))

    def _sign(self, url: str, params: Mapping[str, str]) -> str:
        """Twilio's signature of a form post: HMAC-SHA1 of the URL and each parameter's name
        and value, sorted by name, in base64."""
        data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
        # Not `hmac.digest`: its one-shot form lets other threads run while OpenSSL works,
        # and the event loop then waits up to the switch interval (5 ms) for the
        # interpreter, every webhook, whenever a thread is busy (issue 17).
        return base64.b64encode(hmac.new(self._key, data.encode(), hashlib.sha1).digest()).decode()

    async def check(self, request: web.Request, params: Mapping[str, str]) -> WebhookCheck:
        """Twilio-signed, simulated (a valid operator or admin token), or refused."""
        plain = {k: v for k, v in params.items() if k != SIMULATED_PARAM}
        if SIMULATED_HEADER in request.headers:
            return await self._simulated(request, plain)
        if self.valid(request, params):
            return WebhookCheck(Verdict.TWILIO_SIGNED, params=plain)
        if self.configured:
            return WebhookCheck(Verdict.REFUSED, "bad or missing X-Twilio-Signature")
        return WebhookCheck(Verdict.REFUSED, "no TWILIO_AUTH_TOKEN configured")

    async def _simulated(self, request: web.Request, params: dict[str, str]) -> WebhookCheck:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        marked = request.headers[SIMULATED_HEADER] == "1" and scheme.lower() == "bearer"
        principal = None
        if marked and secret.strip() and self._authenticate is not None:
            principal = await self._authenticate(secret.strip())
        if principal is None or principal.role not in SIMULATOR_ROLES:
            return WebhookCheck(Verdict.REFUSED, SIMULATED_REFUSED)
        return WebhookCheck(Verdict.SIMULATED, params=params | {SIMULATED_PARAM: "1"})
