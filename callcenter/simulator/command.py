"""`callcenter ivr simulate --server URL`: the arguments checked, then one simulated call."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from callcenter.core.errors import ConfigError
from callcenter.core.phone import InvalidNumberError, normalise_phone
from callcenter.simulator.client import Ask, CallOptions, Say, SimulatedCall
from callcenter.simulator.transport import ServerLink


@dataclass(frozen=True, slots=True)
class ServerSimulation:
    """What the command line asked for."""

    server: str
    token: str | None
    caller: str
    presses: str | None
    language: str | None = None
    hangup_after: float | None = None


def _checked(request: ServerSimulation) -> tuple[str, CallOptions]:
    url = urllib.parse.urlsplit(request.server)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ConfigError(
            f"--server needs an http(s) URL, e.g. http://127.0.0.1:8080: {request.server!r}"
        )
    if not request.token:
        raise ConfigError(
            "ivr simulate --server needs an operator or admin API token: --token or "
            "CALLCENTER_TOKEN (`callcenter token create --role admin` makes one)"
        )
    if request.language:
        raise ConfigError("--lang works in-process only; on a server the flow's menu decides")
    if request.hangup_after is not None and request.hangup_after <= 0:
        raise ConfigError("--hangup-after needs a number of seconds above 0")
    try:
        number = normalise_phone(request.caller)
    except InvalidNumberError as err:
        raise ConfigError(f"--from: {err.message}") from None
    return request.token, CallOptions(number, hangup_after=request.hangup_after)


def simulate_on_server(request: ServerSimulation, ask: Ask, say: Say) -> int:
    """Run one simulated call against the server; the exit status."""
    token, options = _checked(request)
    link = ServerLink(request.server, token)
    return SimulatedCall(link, options, request.presses, ask, say).run()
