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
) -> Callable[[F], F]:
    """Attach an `EndpointSpec` to a handler."""

    def mark(handler: F) -> F:
        setattr(
            handler,
            SPEC_ATTRIBUTE,
            EndpointSpec(summary, roles, query, body, response, errors, tag),
        )
        return handler

    return mark


def spec_of(handler: object) -> EndpointSpec | None:
    """The spec attached to `handler` (a function or bound method), if any."""
    spec = getattr(handler, SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, EndpointSpec) else None
