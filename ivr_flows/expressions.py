"""Jinja2 in a sandbox: prompt templates and the expressions of branch/set nodes.

Flow files are written by a utility's staff, not by programmers: the sandbox keeps a template
from reaching Python internals, and a template error is a validation error naming the node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from ivr_flows.speech import install_filters

Expression = Callable[..., Any]


def environment() -> SandboxedEnvironment:
    """A fresh sandboxed environment with the speech filters."""
    # A variable a service did not provide renders as nothing rather than failing a live call.
    env = SandboxedEnvironment(autoescape=False)
    install_filters(env)
    return env


class ExpressionError(ValueError):
    """A template or expression that does not compile."""


def compile_expression(env: SandboxedEnvironment, source: str) -> Expression:
    """Compile `source` (e.g. `accounts | length > 1`) into a callable over variables."""
    try:
        return env.compile_expression(source, undefined_to_none=True)
    except TemplateSyntaxError as err:
        raise ExpressionError(f"expression {source!r}: {err.message}") from err


def check_template(env: SandboxedEnvironment, source: str) -> None:
    """Raise `ExpressionError` when `source` is not a valid template."""
    try:
        env.from_string(source)
    except TemplateSyntaxError as err:
        raise ExpressionError(f"template {source!r}: {err.message}") from err


def evaluate(expression: Expression, variables: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression; an error evaluates to None (a branch not taken)."""
    try:
        return expression(**variables)
    except Exception:  # a bad value in one call must not break the call flow
        return None
