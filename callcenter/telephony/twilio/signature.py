"""`X-Twilio-Signature` checks against the URL Twilio called (or the configured public URL)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from twilio.request_validator import RequestValidator


class TwilioSignature:
    """Validates webhook requests with the account's auth token."""

    def __init__(self, auth_token: str | None, public_base_url: str) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._base = public_base_url.rstrip("/")

    @property
    def configured(self) -> bool:
        """False when no auth token is set: every webhook is then refused."""
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
        return bool(self._validator.validate(self.url_of(request), dict(params), signature))
