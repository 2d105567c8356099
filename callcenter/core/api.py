"""Roles and the metadata an HTTP endpoint declares: who may call it and how it is documented.

Feature packages decorate their handlers with `endpoint(...)`; the web layer reads the spec to
enforce roles and to build the OpenAPI document, so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar


class Role(StrEnum):
    """What a user or API token may do."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request."""

    role: Role
    token_id: int | None
    user_id: int | None
    name: str


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """Roles allowed and documentation of one endpoint."""

    summary: str
    roles: frozenset[Role]
    query: type[Any] | None = None
    body: type[Any] | None = None
    response: type[Any] | None = None
    errors: tuple[str, ...] = ()
    tag: str = "api"
    content_type: str = "application/json"  # several, comma-separated, for a choice of formats
    statuses: tuple[int, ...] = ()


F = TypeVar("F", bound=Callable[..., Any])

SPEC_ATTRIBUTE = "__endpoint_spec__"


def endpoint(
    summary: str,
    *,
    roles: frozenset[Role] = ALL_ROLES,
    query: type[Any] | None = None,
    body: type[Any] | None = None,
    response: type[Any] | None = None,
    errors: tuple[str, ...] = (),
    tag: str = "api",
    content_type: str = "application/json",
    statuses: tuple[int, ...] = (),
) -> Callable[[F], F]:
    """Attach an `EndpointSpec` to a handler. `statuses` are its success statuses when they
    are not the usual ones (200; a POST 201 when it made something, else 200)."""

    def mark(handler: F) -> F:
        spec = EndpointSpec(
            summary, roles, query, body, response, errors, tag, content_type, statuses
        )
        setattr(handler, SPEC_ATTRIBUTE, spec)
        return handler

    return mark


def spec_of(handler: object) -> EndpointSpec | None:
    """The spec attached to `handler` (a function or bound method), if any."""
    spec = getattr(handler, SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, EndpointSpec) else None
