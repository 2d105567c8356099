"""Every Redis key is built here, under one configurable prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """Key builders; `prefix` separates deployments sharing one Redis."""

    prefix: str

    def health(self) -> str:
        """A key the readiness probe writes and reads."""
        return f"{self.prefix}health"

    def ivr_session(self, call_id: str) -> str:
        """The IVR session of a call."""
        return f"{self.prefix}ivr:{call_id}"

    def lease(self, name: str) -> str:
        """A leader lease (AMI session, a campaign's dialer)."""
        return f"{self.prefix}lease:{name}"
