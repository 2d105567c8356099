"""Outbound calls and texts on Twilio's REST API: `TwilioGateway` implements
`outbound.gateway.Gateway` with `calls.create` (answering-machine detection, status
callbacks carrying the attempt's key), `find` for the reconciliation after a crash, and
`send_sms` through Messages.

Never a second call for one attempt: the HTTP client sends each request once (no
aiohttp-retry wrapper, whose retries re-send a POST on any 5xx). An answer that proves
Twilio did not create the call (429, 401/403, a connection that never opened) is a
transient `GatewayError`; a 5xx, a connection lost after sending or a timeout may have
created it, so they raise `CallMaybePlacedError` and the dialer reconciles with `find`.
A 503 is not taken as proof either: Twilio documents no guarantee that nothing was done.

What `find` can match: Twilio's Call resource does not give back the `Url`,
`StatusCallback` or any custom parameter a call was created with (its fields are sid, to,
from, status, times, direction, answered_by…), so the attempt key cannot be read from a
listed call. `find` therefore matches by the number called, our caller id, direction
`outbound-api` and the creation time from `since` (less a clock-skew allowance): exactly
one such call is ours; none or several give None (the attempt is then left `uncertain`
for a person). The key does come back on every webhook of the call (the URL query), so
live results are matched by key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException

from callcenter.core.phone import mask
from callcenter.telephony.pacing import RequestPacer
from outbound.gateway import CallMaybePlacedError, DialRequest, GatewayError
from outbound.models import AttemptResult, GatewayKind

log = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
ANSWER_PATH = "/twilio/outbound/answer"
STATUS_PATH = "/twilio/outbound/status"
AMD_PATH = "/twilio/outbound/amd"
STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")
CALL_RESULTS = {
    "completed": AttemptResult.ANSWERED,  # answered and over; the flow may say more
    "busy": AttemptResult.BUSY,
    "no-answer": AttemptResult.NO_ANSWER,
    "failed": AttemptResult.FAILED,
    "canceled": AttemptResult.FAILED,
}
NOT_SENT = (401, 403, 429)  # Twilio refused the request itself: no call exists
FAILURES = (TwilioException, aiohttp.ClientError, TimeoutError)


@dataclass(frozen=True, slots=True)
class TwilioOutboundConfig:
    """What the gateway needs; `public_base_url` is where Twilio reaches our webhooks."""

    account_sid: str
    auth_token: str
    public_base_url: str
    api_base_url: str = TWILIO_API
    calls_per_second: float = 1.0  # per caller-id number; 0: no spacing
    max_in_flight: int = 20  # REST requests at once
    request_timeout_seconds: float = 10.0
    find_skew_seconds: float = 120.0  # our clock against Twilio's
    find_page_size: int = 100


@dataclass(frozen=True, slots=True)
class OutboundUrls:
    """The webhooks of one attempt's call, each carrying the attempt key."""

    answer: str
    status: str
    amd: str


@dataclass(frozen=True, slots=True)
class ListedCall:
    """What `find` looks at in a call Twilio lists."""

    sid: str
    to: str
    from_: str
    direction: str
    created: datetime | None


def outbound_urls(public_base_url: str, key: str) -> OutboundUrls:
    """`<base>/twilio/outbound/{answer,status,amd}?attempt=<key>` (the key URL-encoded)."""
    base = public_base_url.rstrip("/")
    query = urlencode({"attempt": key})
    return OutboundUrls(
        f"{base}{ANSWER_PATH}?{query}", f"{base}{STATUS_PATH}?{query}", f"{base}{AMD_PATH}?{query}"
    )


def create_params(request: DialRequest, urls: OutboundUrls) -> dict[str, Any]:
    """The keyword arguments of `calls.create` for one attempt."""
    params: dict[str, Any] = {
        "to": request.to,
        "from_": request.caller_id,
        "url": urls.answer,
        "method": "POST",
        "status_callback": urls.status,
        "status_callback_event": list(STATUS_EVENTS),
        "status_callback_method": "POST",
        "timeout": request.ring_seconds,
    }
    if request.machine_detection:
        params |= {
            "machine_detection": "DetectMessageEnd",
            "async_amd": "true",  # a string: Python's True would be sent as "True"
            "async_amd_status_callback": urls.amd,
            "async_amd_status_callback_method": "POST",
        }
    return params


def attempt_key(query: Mapping[str, str]) -> str | None:
    """The attempt key of an outbound webhook, from its URL query."""
    return query.get("attempt") or None


def call_result(params: Mapping[str, str]) -> AttemptResult | None:
    """A status callback's result: None while the call is not over (queued, initiated,
    ringing, in-progress). `completed` means answered; the flow may report more."""
    return CALL_RESULTS.get(params.get("CallStatus", ""))


def amd_result(answered_by: str) -> AttemptResult:
    """Twilio's `AnsweredBy`: `human` is answered; machine_*, fax, unknown and anything
    else are a machine (the neutral message only)."""
    return AttemptResult.ANSWERED if answered_by == "human" else AttemptResult.MACHINE


def match_call(request: DialRequest, since: datetime, calls: Iterable[ListedCall]) -> str | None:
    """The one call placed by the API from our caller id to the number since `since`;
    None when there is none or more than one (not ours to decide)."""
    found = {
        c.sid
        for c in calls
        if c.to == request.to
        and c.from_ == request.caller_id
        and c.direction == "outbound-api"
        and c.created is not None
        and c.created >= since
    }
    if len(found) > 1:
        log.warning(
            "attempt %s: %d calls to %s since %s; left for a person",
            request.key,
            len(found),
            mask(request.to),
            since.isoformat(),
        )
    return found.pop() if len(found) == 1 else None


def refused(err: Exception, what: str) -> GatewayError:
    """A Twilio or HTTP failure of a request that creates something (a call, a text)."""
    if isinstance(err, TwilioRestException):
        text = f"Twilio answered {what} with HTTP {err.status}"
        text += f" (error {err.code})" if err.code else ""
        text += f": {err.msg}" if err.msg else ""
        if err.status >= 500:
            return CallMaybePlacedError(text + "; it may have been created")
        return GatewayError(text, transient=err.status in NOT_SENT)
    if isinstance(err, aiohttp.ClientConnectorError):
        return GatewayError(f"Twilio not reached for {what} (nothing sent): {err}", transient=True)
    return CallMaybePlacedError(
        f"no answer from Twilio to {what} ({type(err).__name__}); it may have been created"
    )


def _listed(call: Any) -> ListedCall:
    return ListedCall(
        str(call.sid),
        str(call.to or ""),
        str(getattr(call, "_from", "") or ""),  # the SDK keeps `from` as `_from`
        str(call.direction or ""),
        call.date_created or call.start_time,
    )


class TwilioGateway:
    """`outbound.gateway.Gateway` on Twilio. Open it inside the running loop (the app's
    cleanup context) and close it there."""

    kind = GatewayKind.TWILIO

    def __init__(self, config: TwilioOutboundConfig, *, pacer: RequestPacer | None = None) -> None:
        if not config.public_base_url:
            raise ValueError("Twilio outbound calls need server.public_base_url for webhooks")
        self._config = config
        self._pacer = pacer or RequestPacer(config.calls_per_second, config.max_in_flight)
        self._client: Any = None
        self._http: Any = None

    async def open(self) -> None:
        """Create the HTTP session and the client pointed at `api_base_url`; the SDK's
        TWILIO_EDGE / TWILIO_REGION host rewriting is switched off (a regional host is
        given as `api_base_url`). `twilio.rest` is imported here: it is slow to import."""
        from twilio.rest import Client

        self._http = _http_client(self._config.request_timeout_seconds)
        client = Client(self._config.account_sid, self._config.auth_token, http_client=self._http)
        client.edge = client.region = None
        client.api.base_url = self._config.api_base_url.rstrip("/")
        self._client = client

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = self._client = None

    async def place(self, request: DialRequest) -> str:
        """One `calls.create`, paced per caller id; the CallSid. Raises `GatewayError`
        (transient: nothing was created) or `CallMaybePlacedError`."""
        params = create_params(request, outbound_urls(self._config.public_base_url, request.key))
        async with self._pacer.turn(request.caller_id):
            try:
                call = await self._api().calls.create_async(**params)
            except FAILURES as err:
                raise refused(err, f"the call of attempt {request.key}") from err
        log.info("attempt %s: Twilio call %s to %s", request.key, call.sid, mask(request.to))
        return str(call.sid)

    async def find(self, request: DialRequest, since: datetime) -> str | None:
        """The CallSid of the call placed for `request` since `since` (see the module's
        note on matching), else None. A failed lookup is a transient `GatewayError`."""
        window = since - timedelta(seconds=self._config.find_skew_seconds)
        calls = self._api().calls
        try:
            size = self._config.find_page_size
            started = await calls.list_async(to=request.to, start_time_after=window, page_size=size)
            queued = await calls.list_async(to=request.to, status="queued", page_size=size)
        except FAILURES as err:
            raise GatewayError(f"Twilio calls list failed: {err!r}", transient=True) from err
        return match_call(request, window, [_listed(c) for c in [*started, *queued]])

    async def send_sms(self, to: str, from_: str, body: str) -> str:
        """One text through Messages, paced like calls; its MessageSid. Errors as `place`."""
        async with self._pacer.turn(f"sms:{from_}"):
            try:
                message = await self._api().messages.create_async(to=to, from_=from_, body=body)
            except FAILURES as err:
                raise refused(err, f"a text to {mask(to)}") from err
        return str(message.sid)

    def _api(self) -> Any:
        if self._client is None:
            raise RuntimeError("TwilioGateway.open() was not awaited")
        return self._client


def _http_client(timeout: float) -> Any:
    """The SDK's asyncio HTTP client sending each request once: `max_retries=None` leaves
    out the aiohttp-retry wrapper (which re-sends a POST on any 5xx). The credentials go in
    an Authorization header, as aiohttp 3.14 wants, instead of its deprecated `auth=`."""
    from twilio.http.async_http_client import AsyncTwilioHttpClient

    class OnceHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
        async def request(
            self,
            method: str,
            url: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float | None = None,
            allow_redirects: bool = False,
        ) -> Any:
            if auth is not None:
                basic = aiohttp.encode_basic_auth(auth[0], auth[1])
                headers = {**(headers or {}), "Authorization": basic}
            return await super().request(
                method, url, params, data, headers, None, timeout, allow_redirects
            )

    return OnceHttpClient(timeout=timeout, max_retries=None)
