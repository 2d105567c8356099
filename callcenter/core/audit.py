"""Who made an administrative change, and the audit entry that records it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callcenter.core.api import Principal


@dataclass(frozen=True, slots=True)
class Editor:
    """Who changes the configuration: a role and a user id (from the API token), or the
    command line (`cli`, run by whoever may reach the database); `address` is where an HTTP
    request came from (`httpkit.client_address`)."""

    role: str
    user_id: int | None = None
    address: str | None = None

    @classmethod
    def of(cls, principal: Principal, address: str | None = None) -> Editor:
        """The editor behind an API request."""
        return cls(principal.role.value, principal.user_id, address)


CLI_EDITOR = Editor("cli")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who, when, to what (entity and id), which action, the data before and
    after (JSON-ready)."""

    at: datetime
    editor: Editor
    entity: str  # agent, queue, outage
    entity_id: str
    action: str  # create, update, enable, disable, close
    data: Mapping[str, Any] = field(default_factory=dict)


def before_after(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The audit data of a change: both states and the names of the keys that changed."""
    keys = set(before or {}) | set(after or {})
    changed = sorted(k for k in keys if (before or {}).get(k) != (after or {}).get(k))
    return {"before": before, "after": after, "changed": changed}


@dataclass(frozen=True, slots=True)
class Stamp:
    """When and by whom a change is made; the store that commits it writes the entry."""

    at: datetime
    editor: Editor

    def entry(
        self, entity: str, entity_id: object, action: str, data: Mapping[str, Any]
    ) -> AuditEntry:
        """The audit entry of one change."""
        return AuditEntry(self.at, self.editor, entity, str(entity_id), action, data)
