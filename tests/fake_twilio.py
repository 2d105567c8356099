"""A fake of Twilio's REST API for the outbound tests: the Calls and Messages resources as
the `twilio` library calls them (form-encoded POSTs, JSON answers shaped like Twilio's,
`To`/`From`/`Status`/`StartTime>` filters and paging by `next_page_uri`), a ledger of
every call it created, and scriptable failures to prove "never a second call":
429 and 500 before creating, 500 after creating, and a connection cut after creating.

Point a client at it with `client.api.base_url = server URL`.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from aiohttp import BasicAuth, web

from callcenter.core.clock import Clock, SystemClock

ACCOUNT_SID = "AC57fd0608be32bc7b399f485192bb8be8"  # as in tests/fixtures/twilio
AUTH_TOKEN = "b1e7d466ee7004af846c87790bf415bf"
API = "/2010-04-01/Accounts/{account}"
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class Failure(StrEnum):
    """What the next create request (a call or a text) runs into."""

    RATE_LIMITED = "rate-limited"  # 429, error 20429, nothing created
    ERROR_BEFORE = "error-before"  # 500, nothing created
    ERROR_AFTER = "error-after"  # created, then 500
    DROP_AFTER = "drop-after"  # created, then the connection is cut with no answer


@dataclass(slots=True)
class FakeCall:
    """A call in the ledger: what was asked (`params`, every value as sent) and its state."""

    sid: str
    to: str
    from_: str
    created: datetime
    params: dict[str, list[str]]
    status: str = "queued"
    start_time: datetime | None = None
    end_time: datetime | None = None
    answered_by: str | None = None

    def first(self, name: str) -> str | None:
        """The first value sent for parameter `name`."""
        values = self.params.get(name)
        return values[0] if values else None


@dataclass(slots=True)
class FakeTwilio:
    """The fake API's state; `app()` serves it."""

    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    clock: Clock = field(default_factory=SystemClock)
    calls: list[FakeCall] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    creates: int = 0  # create requests received, failed ones included
    _failures: deque[Failure] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, *failures: Failure) -> None:
        """The next create requests fail like this, in order."""
        self._failures.extend(failures)

    def progress(self, sid: str, status: str, answered_by: str | None = None) -> None:
        """Move a call on (ringing, in-progress, completed, busy…) as Twilio would."""
        call = self.call(sid)
        now = self.clock.now()
        if call.start_time is None and status != "queued":
            call.start_time = now
        if status in ENDED:
            call.end_time = now
        call.status = status
        call.answered_by = answered_by or call.answered_by

    def call(self, sid: str) -> FakeCall:
        """The ledger entry of `sid`."""
        return next(c for c in self.calls if c.sid == sid)

    def app(self) -> web.Application:
        """The aiohttp application serving the API."""
        app = web.Application(middlewares=[self._auth])
        base = API.format(account="{account}")
        app.router.add_post(f"{base}/Calls.json", self._create_call)
        app.router.add_get(f"{base}/Calls.json", self._list_calls)
        app.router.add_get(f"{base}/Calls/{{sid}}.json", self._fetch_call)
        app.router.add_post(f"{base}/Calls/{{sid}}.json", self._update_call)
        app.router.add_post(f"{base}/Messages.json", self._create_message)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            auth = None
        if auth is None or (auth.login, auth.password) != (self.account_sid, self.auth_token):
            return _error(401, 20003, "Authenticate")
        if request.match_info.get("account") != self.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        response: web.StreamResponse = await handler(request)
        return response

    async def _create_call(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        params = {key: [str(v) for v in form.getall(key)] for key in set(form.keys())}
        if not params.get("To") or not params.get("From"):
            return _error(400, 21201, "No 'To' number is specified")
        if not params.get("Url") and not params.get("Twiml"):
            return _error(400, 21205, "Url parameter is required")

        def create() -> dict[str, Any]:
            call = FakeCall(
                f"CA{next(self._ids):032x}",
                params["To"][0],
                params["From"][0],
                self.clock.now(),
                params,
            )
            self.calls.append(call)
            return self._call_json(call)

        return await self._created(request, create)

    async def _create_message(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        fields = {key: str(form[key]) for key in form}

        def create() -> dict[str, Any]:
            sid = f"SM{next(self._ids):032x}"
            self.messages.append({"sid": sid, **fields})
            return {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": fields.get("To"),
                "from": fields.get("From"),
                "body": fields.get("Body"),
                "status": "queued",
                "direction": "outbound-api",
                "date_created": format_datetime(self.clock.now()),
                "num_segments": "1",
                "api_version": "2010-04-01",
                "uri": f"{API.format(account=self.account_sid)}/Messages/{sid}.json",
            }

        return await self._created(request, create)

    async def _created(self, request: web.Request, create: Any) -> web.StreamResponse:
        self.creates += 1
        failure = self._failures.popleft() if self._failures else None
        if failure is Failure.RATE_LIMITED:
            return _error(429, 20429, "Too Many Requests")
        if failure is Failure.ERROR_BEFORE:
            return _error(500, 20500, "Internal Server Error")
        body = create()
        if failure is Failure.ERROR_AFTER:
            return _error(500, 20500, "Internal Server Error")
        if failure is Failure.DROP_AFTER:
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError("the fake cut the connection after creating")
        return web.json_response(body, status=201)

    async def _list_calls(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        found = [c for c in reversed(self.calls) if _matches(c, query)]  # newest first
        size = min(int(query.get("PageSize", "50")), 1000)
        page = int(query.get("Page", "0"))
        chunk = found[page * size : (page + 1) * size]
        uri = f"{API.format(account=self.account_sid)}/Calls.json"
        filters = {k: v for k, v in query.items() if k not in ("PageSize", "Page", "PageToken")}
        more = len(found) > (page + 1) * size
        next_page = {**filters, "PageSize": str(size), "Page": str(page + 1)}
        if chunk:
            next_page["PageToken"] = f"PA{chunk[-1].sid}"
        return web.json_response(
            {
                "calls": [self._call_json(c) for c in chunk],
                "first_page_uri": f"{uri}?{urlencode({**filters, 'PageSize': size, 'Page': 0})}",
                "next_page_uri": f"{uri}?{urlencode(next_page)}" if more else None,
                "previous_page_uri": None,
                "page": page,
                "page_size": size,
                "start": page * size,
                "end": page * size + max(len(chunk) - 1, 0),
                "uri": f"{uri}?{request.query_string}",
            }
        )

    async def _fetch_call(self, request: web.Request) -> web.StreamResponse:
        call = next((c for c in self.calls if c.sid == request.match_info["sid"]), None)
        if call is None:
            return _error(404, 20404, "The requested resource was not found")
        return web.json_response(self._call_json(call))

    async def _update_call(self, request: web.Request) -> web.StreamResponse:
        call = next((c for c in self.calls if c.sid == request.match_info["sid"]), None)
        if call is None:
            return _error(404, 20404, "The requested resource was not found")
        form = await request.post()
        if "Status" in form:
            self.progress(call.sid, str(form["Status"]))
        return web.json_response(self._call_json(call))

    def _call_json(self, call: FakeCall) -> dict[str, Any]:
        uri = f"{API.format(account=self.account_sid)}/Calls/{call.sid}"
        return {
            "sid": call.sid,
            "date_created": format_datetime(call.created),
            "date_updated": format_datetime(self.clock.now()),
            "parent_call_sid": None,
            "account_sid": self.account_sid,
            "to": call.to,
            "to_formatted": call.to,
            "from": call.from_,
            "from_formatted": call.from_,
            "phone_number_sid": None,
            "status": call.status,
            "start_time": format_datetime(call.start_time) if call.start_time else None,
            "end_time": format_datetime(call.end_time) if call.end_time else None,
            "duration": None,
            "price": None,
            "price_unit": "USD",
            "direction": "outbound-api",
            "answered_by": call.answered_by,
            "api_version": "2010-04-01",
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "uri": f"{uri}.json",
            "subresource_uris": {
                "notifications": f"{uri}/Notifications.json",
                "recordings": f"{uri}/Recordings.json",
                "events": f"{uri}/Events.json",
            },
        }


def _matches(call: FakeCall, query: Any) -> bool:
    if "To" in query and call.to != query["To"]:
        return False
    if "From" in query and call.from_ != query["From"]:
        return False
    if "Status" in query and call.status != query["Status"]:
        return False
    after = query.get("StartTime>")
    if after is not None:  # on or after; a call not started yet has no start time
        return call.start_time is not None and call.start_time >= _when(after)
    return True


def _when(value: str) -> datetime:
    if len(value) == 10:  # YYYY-MM-DD
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )
