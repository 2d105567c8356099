"""Issue 17: flow expressions and prompt templates run over only the variables they name
give what Jinja's own call gives, globals and the sandbox included."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2.exceptions import SecurityError

from ivr_flows.expressions import compile_expression, compile_template, environment, evaluate

SCOPE: dict[str, Any] = {
    "accounts": [{"account_no": "1"}, {"account_no": "2"}],
    "lang": "en-US",
    "digits": "12",
    "name": "Zhang",
    "balance": "-12.50",
    "unrelated": object(),
}


@pytest.mark.parametrize(
    "source",
    [
        "accounts | length > 1",
        "lang == 'en-US' and digits | int > 10",
        "missing",
        "missing is defined",
        "range(3) | list | length",
        "dict(a=1).a + 1",
        "namespace(x=2).x",
        "balance | float < 0",
        "digits ~ '}}' ~ name",
        "accounts[0].account_no",
        "accounts | map(attribute='account_no') | join(',') if accounts else none",
        "balance | float | abs",
    ],
)
def test_an_expression_gives_what_jinja_gives(source: str) -> None:
    env = environment()
    try:
        expected = env.compile_expression(source, undefined_to_none=True)(**SCOPE)
    except Exception:
        expected = None
    assert evaluate(compile_expression(env, source), SCOPE) == expected


@pytest.mark.parametrize(
    "source",
    [
        "Hello {{ name }}, you owe {{ balance }}.",
        "{% for a in accounts %}{{ loop.index }}:{{ a.account_no }} {% endfor %}",
        "{% if missing %}x{% else %}y{% endif %}{{ range(2) | list }}",
        "{% set n = accounts | length %}{{ n }} accounts",
    ],
)
def test_a_template_renders_what_jinja_renders(source: str) -> None:
    env = environment()
    assert compile_template(env, source).render(SCOPE) == env.from_string(source).render(SCOPE)


def test_the_sandbox_still_refuses_internals() -> None:
    env = environment()
    assert evaluate(compile_expression(env, "name.__class__.__mro__"), SCOPE) is None
    with pytest.raises(SecurityError):
        compile_template(env, "{{ name.__class__.__mro__[1].__subclasses__() }}").render(SCOPE)
