"""The simulator's HTTP: webhooks posted as Twilio posts them, and the mailbox long poll.

Every request carries the API token and `X-Callcenter-Simulated: 1` (the server accepts
such webhooks from an operator or admin token instead of a Twilio signature). Failures
become one-line `SimulatorError`s.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from callcenter.simulator.twiml import SimulatorError

TIMEOUT_SECONDS = 15.0  # Twilio's own limit for a webhook answer
REFUSED = (401, 403)


def _message(err: urllib.error.HTTPError) -> str:
    """The `{"error": {"message"}}` of an error answer, else its reason."""
    try:
        body = json.loads(err.read() or b"{}")
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(err.reason)


class ServerLink:
    """Requests to one running server (`base`, e.g. `http://127.0.0.1:8080`)."""

    def __init__(self, base: str, token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base = base.rstrip("/")
        self._token = token
        self._timeout = timeout

    def resolve(self, url: str, relative_to: str | None = None) -> str:
        """An absolute URL for one a TwiML document gives (absolute, or relative to the
        document's own URL, as Twilio resolves them)."""
        return urllib.parse.urljoin(relative_to or self.base + "/", url)

    def _open(self, request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("X-Callcenter-Simulated", "1")
        request.add_header("User-Agent", "callcenter-simulator")
        what = f"{request.get_method()} {urllib.parse.urlsplit(request.full_url).path}"
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                return int(resp.status), bytes(resp.read())
        except urllib.error.HTTPError as err:
            if err.code in REFUSED:
                raise SimulatorError(f"{what} was refused ({err.code}): {_message(err)}") from None
            raise SimulatorError(f"{what} answered HTTP {err.code}: {_message(err)}") from None
        except TimeoutError:
            raise SimulatorError(f"{what}: no answer within {timeout:.0f} s") from None
        except urllib.error.URLError as err:
            reason = err.reason
            raise SimulatorError(f"cannot reach the server for {what}: {reason}") from None
        except OSError as err:
            raise SimulatorError(f"cannot reach the server for {what}: {err}") from None

    def post(self, url: str, params: Mapping[str, str]) -> str:
        """POST a webhook's form; the answer's text (TwiML, or empty)."""
        body = urllib.parse.urlencode(dict(params)).encode()
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        _, data = self._open(request, self._timeout)
        return data.decode("utf-8", errors="replace")

    def next_instruction(self, call_sid: str, wait_seconds: int) -> dict[str, Any] | None:
        """The server's next instruction for the call (long poll); None when none came."""
        url = f"{self.base}/api/simulator/calls/{call_sid}/next?wait={wait_seconds}"
        status, data = self._open(urllib.request.Request(url), wait_seconds + self._timeout)
        if status == 204 or not data:
            return None
        try:
            message = json.loads(data)
        except ValueError:
            raise SimulatorError(
                f"the mailbox answered something not JSON: {data[:80]!r}"
            ) from None
        return message if isinstance(message, dict) else None
