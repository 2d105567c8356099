"""Security headers: the pages' Content-Security-Policy (scripts from our own files only, no
inline script, no framing), and on every response nosniff, no-referrer and, over HTTPS,
Strict-Transport-Security; a cookie, should a handler ever set one, is made HttpOnly,
SameSite=Lax and, over HTTPS, Secure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from callcenter.httpkit import over_https

HSTS = "max-age=31536000"
# The Twilio Voice SDK signals over wss://*.twilio.com, reports to https://eventgw.twilio.com
# and fetches its ring tones from https://sdk.twilio.com (played as media).
TWILIO_CONNECT = ("https://*.twilio.com", "wss://*.twilio.com")
TWILIO_MEDIA = ("https://sdk.twilio.com",)
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of a WebSocket URL, or None when it is not a plain one."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in ("ws", "wss") or not _HOST.match(host):
        return None
    return f"{parts.scheme}://{host}"


@dataclass(frozen=True, slots=True)
class PagePolicy:
    """What the pages may reach beyond their own origin: the softphones' servers."""

    connect: tuple[str, ...] = ()
    media: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, twilio_phone: bool, sip_ws_url: str) -> PagePolicy:
        """The Twilio SDK's hosts when the Twilio softphone is configured; the origin of
        Asterisk's WSS transport (`asterisk.webrtc_ws_url`) when the WebRTC one is."""
        sip = _origin(sip_ws_url) if sip_ws_url else None
        connect = (TWILIO_CONNECT if twilio_phone else ()) + ((sip,) if sip else ())
        return cls(connect, TWILIO_MEDIA if twilio_phone else ())

    def header(self, host: str) -> str:
        """The Content-Security-Policy of a page served as `host`: the desk's and the
        console's sockets go back to it (named too for browsers whose 'self' leaves out
        ws: and wss:)."""
        own = [f"ws://{host}", f"wss://{host}"] if _HOST.match(host) else []
        return "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data: blob:",  # the console's chart: fetched with the token
                " ".join(["connect-src 'self'", *own, *self.connect]),
                " ".join(["media-src 'self'", *self.media]),
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )


def hardened(cookie: str, https: bool) -> str:
    """A Set-Cookie value with HttpOnly, SameSite (Lax unless it says) and, over HTTPS,
    Secure added where missing."""
    names = {part.split("=", 1)[0].strip().lower() for part in cookie.split(";")[1:]}
    wanted = [("httponly", "HttpOnly"), ("samesite", "SameSite=Lax")]
    wanted += [("secure", "Secure")] if https else []
    return "; ".join([cookie, *(flag for name, flag in wanted if name not in names)])


@dataclass(frozen=True, slots=True)
class SecurityHeaders:
    """The response hook (`on_response_prepare`: set before the first byte leaves); a site
    whose public address is https (`https_site`) is taken as served over HTTPS whatever its
    proxy says."""

    policy: PagePolicy
    https_site: bool

    async def __call__(self, request: web.Request, response: web.StreamResponse) -> None:
        https = self.https_site or over_https(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if https:
            response.headers["Strict-Transport-Security"] = HSTS
        if response.content_type == "text/html":
            response.headers["Content-Security-Policy"] = self.policy.header(request.host)
        cookies = response.headers.popall("Set-Cookie", [])
        for cookie in cookies:  # already written out from `response.cookies`, if any
            response.headers.add("Set-Cookie", hardened(cookie, https))


def setup_security_headers(
    app: web.Application, *, twilio_phone: bool, sip_ws_url: str, public_base_url: str
) -> None:
    """Set the headers on every response of `app`."""
    policy = PagePolicy.of(twilio_phone=twilio_phone, sip_ws_url=sip_ws_url)
    https_site = public_base_url.lower().startswith("https://")
    app.on_response_prepare.append(SecurityHeaders(policy, https_site))
