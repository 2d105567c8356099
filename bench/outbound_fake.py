"""A lean fake of Twilio's Calls REST resource for `bench/outbound.py`, run as its own process:

    python bench/outbound_fake.py --port 8765

It answers `POST /2010-04-01/Accounts/<sid>/Calls.json` like Twilio (HTTP 201, a Call
resource in JSON with a new `CA…` sid, status `queued`) and lists calls by `To`, `Status`
and `StartTime>` (what `TwilioGateway.find` asks after a crash). It keeps a ledger of every
call created with the attempt key read from its StatusCallback URL (`?attempt=<key>`), and
serves it at `GET /_bench/ledger` (one `key<TAB>sid` line per call) with the counts at
`GET /_bench/stats`. It never calls back: the calls stay queued (the bench measures call
starts). `tests/fake_twilio.py` scans a list per request, too slow for a million calls.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import encode_basic_auth, web

ACCOUNT_SID = "AC57fd0608be32bc7b399f485192bb8be8"
AUTH_TOKEN = "b1e7d466ee7004af846c87790bf415bf"
CALLS = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"


@dataclass(slots=True)
class Ledger:
    """Every call created: its attempt key, sid, number and creation time, in order."""

    keys: list[str] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)
    by_to: dict[str, list[tuple[str, str, datetime]]] = field(default_factory=dict)
    first: float = 0.0
    last: float = 0.0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def call_json(sid: str, to: str, from_: str, created: datetime) -> dict[str, Any]:
    """A queued outbound call as Twilio's Call resource shows it."""
    uri = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}"
    stamp = format_datetime(created)
    return {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "to": to,
        "to_formatted": to,
        "from": from_,
        "from_formatted": from_,
        "status": "queued",
        "direction": "outbound-api",
        "date_created": stamp,
        "date_updated": stamp,
        "start_time": None,
        "end_time": None,
        "duration": None,
        "answered_by": None,
        "api_version": "2010-04-01",
        "uri": f"{uri}.json",
    }


def _error(status: int, code: int, message: str) -> web.Response:
    body = {"code": code, "message": message, "status": status}
    return web.json_response(body, status=status)


class FakeCalls:
    """The handlers over one ledger."""

    def __init__(self) -> None:
        self.ledger = Ledger()
        self._auth = encode_basic_auth(ACCOUNT_SID, AUTH_TOKEN)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(CALLS, self.create)
        app.router.add_get(CALLS, self.list_calls)
        app.router.add_get("/_bench/stats", self.stats)
        app.router.add_get("/_bench/ledger", self.ledger_text)
        return app

    async def create(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != self._auth:
            return _error(401, 20003, "Authenticate")
        form = await request.post()
        to, from_ = str(form.get("To", "")), str(form.get("From", ""))
        if not to or not from_:
            return _error(400, 21201, "No 'To' number is specified")
        callback = parse_qs(urlsplit(str(form.get("StatusCallback", ""))).query)
        led = self.ledger
        sid = f"CA{next(led.ids):032x}"
        now = datetime.now(UTC)
        body = call_json(sid, to, from_, now)
        led.keys.append(callback.get("attempt", [""])[0])
        led.sids.append(sid)
        led.by_to.setdefault(to, []).append((sid, from_, now))
        led.last = time.time()
        led.first = led.first or led.last
        return web.json_response(body, status=201)

    async def list_calls(self, request: web.Request) -> web.Response:
        query = request.query
        to = query.get("To", "")
        found = self.ledger.by_to.get(to, [])
        if query.get("Status", "queued") != "queued" or "StartTime>" in query:
            found = []  # every call here stays queued: none has started
        size = int(query.get("PageSize", "50"))
        calls = [call_json(sid, to, from_, at) for sid, from_, at in found[:size]]
        page = {"calls": calls, "next_page_uri": None, "page": 0, "page_size": size}
        return web.json_response(page)

    async def stats(self, _request: web.Request) -> web.Response:
        led = self.ledger
        return web.json_response({"count": len(led.keys), "first": led.first, "last": led.last})

    async def ledger_text(self, _request: web.Request) -> web.Response:
        lines = (f"{k}\t{s}\n" for k, s in zip(self.ledger.keys, self.ledger.sids, strict=True))
        return web.Response(text="".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps({"listening": args.port}), flush=True)
    web.run_app(FakeCalls().app(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
