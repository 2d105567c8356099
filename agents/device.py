"""The desk's softphone says whether it can take calls. A failed device (microphone refused,
token or registration failed, network, preflight, disconnected) makes a ready agent — or one
whose offer is ringing into it — not ready with the system reason `device`, so no call rings
into nothing; the offer goes back to the head of its queue. A device coming back ready changes
nothing by itself: the agent says ready when they are."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from agents.center import Acd
from agents.models import SYSTEM, AgentState, NotReadyReason, Presence
from agents.presence import StateConflictError
from callcenter.core.errors import InvalidInputError

log = logging.getLogger(__name__)
# Where a failed device takes the agent out of routing from (reserved: its offer is withdrawn).
ROUTABLE = frozenset({AgentState.READY, AgentState.RESERVED})


class DeviceStatus(StrEnum):
    """What the desk's softphone reports."""

    READY = "ready"
    FAILED = "failed"


class DeviceProblem(StrEnum):
    """Why a softphone is not ready."""

    MICROPHONE_REFUSED = "microphone-refused"
    TOKEN_FAILED = "token-failed"
    REGISTRATION_FAILED = "registration-failed"
    NETWORK = "network"
    PREFLIGHT_FAILED = "preflight-failed"
    DISCONNECTED = "disconnected"


class InvalidDeviceReportError(InvalidInputError):
    """Not a status (or problem) a softphone reports."""

    default_code = "invalid-device-report"


@dataclass(frozen=True, slots=True)
class DeviceReport:
    """A softphone's status, with its problem when failed."""

    status: DeviceStatus
    problem: DeviceProblem | None = None


def parse_report(status: str, problem: str | None) -> DeviceReport:
    """A report, checked: `ready` without a problem, or `failed` with one."""
    try:
        parsed = DeviceStatus(status)
    except ValueError:
        raise InvalidDeviceReportError(f"status is ready or failed, not {status!r}") from None
    if parsed is DeviceStatus.READY:
        if problem is not None:
            raise InvalidDeviceReportError("a ready device has no problem")
        return DeviceReport(parsed)
    try:
        return DeviceReport(parsed, DeviceProblem(problem or ""))
    except ValueError:
        problems = ", ".join(p.value for p in DeviceProblem)
        message = f"a failed device needs a problem, one of: {problems}"
        raise InvalidDeviceReportError(message) from None


class DeviceReadiness:
    """Softphone reports and what they do to the agent's presence."""

    def __init__(self, acd: Acd) -> None:
        self._acd = acd

    async def report(self, agent_id: int, report: DeviceReport) -> tuple[Presence, bool]:
        """Apply a report: (the agent's presence now, whether this report made it not ready)."""
        presence = await self._acd.presence(agent_id)
        if report.status is DeviceStatus.READY:
            log.info("agent %s: softphone ready", agent_id)
            return presence, False
        log.warning("agent %s: softphone not ready (%s)", agent_id, report.problem)
        if presence.state not in ROUTABLE:
            return presence, False
        try:
            new = await self._acd.set_state(
                agent_id, AgentState.NOT_READY.value, NotReadyReason.DEVICE.value, SYSTEM
            )
        except StateConflictError:  # moved on meanwhile (e.g. answered): leave it
            return await self._acd.presence(agent_id), False
        return new, True
