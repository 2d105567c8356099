"""Jinja2 in a sandbox: prompt templates and the expressions of branch/set nodes.

Flow files are written by a utility's staff, not by programmers: the sandbox keeps a template
from reaching Python internals, and a template error is a validation error naming the node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Template, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.parser import Parser
from jinja2.runtime import new_context
from jinja2.sandbox import SandboxedEnvironment

from ivr_flows.speech import CONTEXT_NAMES, install_filters

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
        expression = env.compile_expression(source, undefined_to_none=True)
        parsed = Parser(env, source, state="variable").parse_expression()
    except TemplateSyntaxError as err:
        raise ExpressionError(f"expression {source!r}: {err.message}") from err
    tree = nodes.Template([nodes.Output([parsed])], lineno=1)
    tree.set_environment(env)
    return _Compiled(env, expression._template, meta.find_undeclared_variables(tree))


def compile_template(env: SandboxedEnvironment, source: str) -> _Compiled:
    """A prompt or summary template, rendered with `.render(variables)`."""
    return _Compiled(
        env, env.from_string(source), meta.find_undeclared_variables(env.parse(source))
    )


class _Compiled:
    """A compiled template run over only the variables it names (issue 17).

    Jinja's own call merges the environment's globals with every variable the session holds
    into a new dict each time: most of an IVR step's expression work. Here the context is
    built from the names the template uses, found once when it is compiled, and those the
    speech filters read from the context; the environment's globals (`range`, `dict` …) are
    under them, as in Jinja. The sandbox's checks are in the compiled code and still apply."""

    __slots__ = ("_env", "_globals", "_names", "_template")

    def __init__(self, env: SandboxedEnvironment, template: Template, names: set[str]) -> None:
        self._env = env
        self._template = template
        self._names = tuple(sorted(names | CONTEXT_NAMES))
        self._globals = dict(env.globals)

    def _context(self, variables: Mapping[str, Any]) -> Any:
        values = self._globals.copy()
        for name in self._names:
            if name in variables:
                values[name] = variables[name]
        template = self._template
        return new_context(self._env, template.name, template.blocks, values, True)

    def __call__(self, **variables: Any) -> Any:
        """The expression's value; an undefined one is None."""
        return self.value(variables)

    def value(self, variables: Mapping[str, Any]) -> Any:
        """The expression's value over `variables` (not copied); an undefined one is None."""
        context = self._context(variables)
        for _ in self._template.root_render_func(context):
            pass
        result = context.vars["result"]
        return None if isinstance(result, Undefined) else result

    def render(self, variables: Mapping[str, Any]) -> str:
        """The template's text."""
        return "".join(self._template.root_render_func(self._context(variables)))


def check_template(env: SandboxedEnvironment, source: str) -> None:
    """Raise `ExpressionError` when `source` is not a valid template."""
    try:
        env.from_string(source)
    except TemplateSyntaxError as err:
        raise ExpressionError(f"template {source!r}: {err.message}") from err


def evaluate(expression: Expression, variables: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression; an error evaluates to None (a branch not taken)."""
    try:
        if isinstance(expression, _Compiled):
            return expression.value(variables)
        return expression(**variables)
    except Exception:  # a bad value in one call must not break the call flow
        return None
