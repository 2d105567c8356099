"""Agents and queues as administrators edit them, and the errors their edits may raise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from callcenter.core.errors import ConflictError, InvalidInputError, NotFoundError


class DeviceKind(StrEnum):
    """What rings when a call is offered."""

    TWILIO_CLIENT = "twilio_client"  # a Twilio Client identity
    SIP = "sip"  # a SIP endpoint (PJSIP on Asterisk) or URI
    PHONE = "phone"  # a phone number (E.164)
    WEBRTC = "webrtc"  # the desk's WebRTC softphone: a PJSIP endpoint on Asterisk's WSS transport


@dataclass(frozen=True, slots=True)
class Device:
    """An agent's device: kind and address."""

    kind: DeviceKind
    address: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.address}"


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """An agent as stored: the user, device, languages, skills and queues with levels, the
    customers it is account manager of, and whether it may work."""

    agent_id: int
    username: str
    display_name: str
    device: Device
    languages: tuple[str, ...]
    skills: Mapping[str, int]
    queues: Mapping[str, int]
    manages: tuple[int, ...]
    enabled: bool

    def as_json(self) -> dict[str, Any]:
        """JSON-ready, for the audit log."""
        return {
            "username": self.username,
            "device": str(self.device),
            "languages": list(self.languages),
            "skills": dict(sorted(self.skills.items())),
            "queues": dict(sorted(self.queues.items())),
            "manages": list(self.manages),
            "enabled": self.enabled,
        }


@dataclass(frozen=True, slots=True)
class AgentChanges:
    """A partial update: None leaves a part as it is; a given part replaces it whole."""

    device: Device | None = None
    languages: tuple[str, ...] | None = None
    skills: Mapping[str, int] | None = None
    queues: Mapping[str, int] | None = None
    manages: tuple[int, ...] | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class NewAgent:
    """An agent to create for an existing user."""

    username: str
    device: Device
    languages: tuple[str, ...] = ("zh-CN",)
    skills: Mapping[str, int] = field(default_factory=dict)
    queues: Mapping[str, int] = field(default_factory=lambda: {"general": 1})
    manages: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user an agent record may be attached to."""

    user_id: int
    username: str
    role: str


@dataclass(frozen=True, slots=True)
class StoredQueue:
    """A queue's settings as stored by an administrator (overriding the configuration)."""

    name: str
    settings: Mapping[str, Any]
    updated_by: int | None = None


class AgentExistsError(ConflictError):
    """The user has an agent record already."""

    default_code = "agent-exists"


class NoSuchUserError(NotFoundError):
    """No user by that name."""

    default_code = "no-such-user"


class NoSuchAdminAgentError(NotFoundError):
    """No agent record with that id or user name."""

    default_code = "no-such-agent"


class NoSuchQueueError(InvalidInputError):
    """A queue name that is not configured (in a body: 400)."""

    default_code = "no-such-queue"


class UnknownQueueError(NotFoundError):
    """The queue named in the path does not exist (404)."""

    default_code = "no-such-queue"


class QueueExistsError(ConflictError):
    """A queue by that name exists already."""

    default_code = "queue-exists"


class UnknownCustomerError(InvalidInputError):
    """An account-manager link to a customer that does not exist."""

    default_code = "no-such-customer"


class WrongRoleError(ConflictError):
    """An agent record for a user whose role is not agent."""

    default_code = "user-not-agent"


class AgentOnCallError(ConflictError):
    """The agent cannot be disabled while on a call."""

    default_code = "agent-on-call"
