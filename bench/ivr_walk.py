"""Callers walking an IVR over webhooks as Twilio does: sign each request, read the TwiML,
follow its Gather action (with the next keys of the caller's script) or Redirect.

A script is a list of inputs, one per Gather: digits, or `-` for silence (the Gather's
timeout: Twilio posts the action without `Digits` when `actionOnEmptyResult` is true, else
goes on with the verbs after the Gather). A Redirect is followed without input. The walk ends
when the script is used up or the TwiML asks nothing more (Enqueue, Dial, Hangup, the end).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bench.http_client import Connection, HttpError

SILENCE = "-"


def signature(token: str, url: str, form: Mapping[str, str]) -> str:
    """`X-Twilio-Signature`: base64 HMAC-SHA1 of the URL then each key and value, by key."""
    payload = url + "".join(f"{key}{form[key]}" for key in sorted(form))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class Request:
    """The next webhook Twilio would post: to `url`, with `digits` (None: no Digits)."""

    url: str
    method: str
    digits: str | None


def next_request(url: str, twiml: str, key: str | None) -> tuple[Request | None, bool]:
    """What Twilio posts after `twiml` (fetched from `url`) when the caller's next input is
    `key` (None: the script is used up); and whether the input was used."""
    used = False
    for verb in ET.fromstring(twiml):
        if verb.tag == "Gather":
            if key is None:
                return None, used
            if key != SILENCE or verb.get("actionOnEmptyResult") == "true":
                action = urljoin(url, verb.get("action") or url)
                digits = None if key == SILENCE else key
                return Request(action, verb.get("method", "POST").upper(), digits), True
            key, used = None, True  # silence: on with the verbs after the Gather
        elif verb.tag == "Redirect" and verb.text:
            target = urljoin(url, verb.text.strip())
            return Request(target, verb.get("method", "POST").upper(), None), used
    return None, used


@dataclass(slots=True)
class Tally:
    """Steps answered, their latencies (seconds), errors."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.errors += other.errors


@dataclass(frozen=True, slots=True)
class Walk:
    """Where calls start, what each caller presses, and where the caller's hang-up is
    posted when the walk ends (Twilio's status callback; None: not posted)."""

    start: str
    script: Sequence[str]
    token: str
    phones: Sequence[str]
    hangup: str | None = None


async def call(http: Connection, walk: Walk, n: int, tally: Tally, pacer: Pacer) -> None:
    """One call through the IVR, then the caller hangs up."""
    params = {
        "CallSid": f"CA{n:032x}",
        "AccountSid": "AC" + "0" * 32,
        "From": walk.phones[n % len(walk.phones)],
        "To": "+861095598",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    request: Request | None = Request(walk.start, "POST", None)
    keys = list(walk.script)
    while request is not None and await pacer.wait():
        form = dict(params) if request.digits is None else params | {"Digits": request.digits}
        body = await post(http, walk.token, request.url, form, tally)
        if body is None:
            return
        request, used = next_request(request.url, body, keys[0] if keys else None)
        keys = keys[1:] if used else keys
        params["CallStatus"] = "in-progress"
    if request is None and walk.hangup and await pacer.wait():
        await post(http, walk.token, walk.hangup, params | {"CallStatus": "completed"}, tally)


async def post(
    http: Connection, token: str, url: str, form: dict[str, str], tally: Tally
) -> str | None:
    """Post a signed webhook; its body, or None (counted as an error) unless 200 or 204."""
    headers = {"X-Twilio-Signature": signature(token, url, form)}
    started = time.perf_counter()
    try:
        status, body = await http.post(url, form, headers)
        ok = status in (200, 204)
    except HttpError:
        ok = False
    if not ok:
        tally.errors += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    return body


class Pacer:
    """Each caller's steps: as fast as possible (rate 0), or at `rate` steps/s over all the
    callers (each caller on its own schedule); until `ends` (perf_counter)."""

    def __init__(self, ends: float, rate: float, callers: int) -> None:
        self.ends = ends
        self.interval = callers / rate if rate else 0.0
        self.due = time.perf_counter()

    async def wait(self) -> bool:
        if self.interval:
            self.due += self.interval
            delay = self.due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        return time.perf_counter() < self.ends


async def load(walk: Walk, seconds: float, callers: int, rate: float, first: int) -> Tally:
    """`callers` concurrent callers, each calling again when its call ends, for `seconds`;
    at `rate` steps/s in all (0: as fast as they can)."""
    tally = Tally()
    ends = time.perf_counter() + seconds
    numbers = iter(range(first, first + 10**9))

    async def caller(index: int) -> None:
        pacer = Pacer(ends, rate, callers)
        pacer.due += index * pacer.interval / callers  # staggered
        http = Connection()  # the caller's own keep-alive connection
        try:
            while time.perf_counter() < ends:
                await call(http, walk, next(numbers), tally, pacer)
        finally:
            http.close()

    await asyncio.gather(*(caller(i) for i in range(callers)))
    return tally


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (nearest rank); 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]
