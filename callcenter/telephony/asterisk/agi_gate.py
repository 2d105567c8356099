"""Who may open a FastAGI session (issue 18), pure: a peer from the allow-list, with the
shared secret, when one is set, as the first part of the AGI URL's path.

The dialplan's one global `CALLCENTER_AGI = agi://host:4573/<secret>` gives
`AGI(${CALLCENTER_AGI}/ivr)`; Asterisk then sends `agi_network_script: <secret>/ivr` and
`agi_request: agi://host:4573/<secret>/ivr`. The gate takes the secret out of both, so the
rest of the session (and its logs) only ever sees `ivr`. Without a secret set, a script
with no secret part is taken as it is (the loopback default).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.addresses import Network, networks, within

LOOPBACK = ("127.0.0.1", "::1")


class Refusal(StrEnum):
    """Why a session was refused (a metric's label and the log's word)."""

    ADDRESS = "address-not-allowed"
    NO_SECRET = "no-secret"
    WRONG_SECRET = "wrong-secret"


@dataclass(frozen=True, slots=True)
class AgiGate:
    """The allow-list of peers and the shared secret ('' when none is set)."""

    allow: tuple[Network, ...] = networks(LOOPBACK)
    secret: str = ""

    def admits(self, peer: str) -> bool:
        """Whether a connection from `peer` (an IP address) may go on to its environment."""
        return within(peer, self.allow)

    def opened(self, env: Mapping[str, str]) -> tuple[dict[str, str], Refusal | None]:
        """The environment with the secret taken out of the script and the request; with it,
        why the session is refused (None: it may run)."""
        given, _, script = env.get("network_script", "").rpartition("/")
        cleaned = dict(env, network_script=script)
        if given:
            cleaned["request"] = env.get("request", "").replace(f"/{given}/", "/", 1)
        if not self.secret:
            return cleaned, None
        if not given:
            return cleaned, Refusal.NO_SECRET
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return cleaned, Refusal.WRONG_SECRET
        return cleaned, None

    @classmethod
    def of(cls, allow: Sequence[str], secret: str | None) -> AgiGate:
        """The gate of `[asterisk] fastagi_allow` and `fastagi_secret`."""
        return cls(networks(allow), secret or "")
