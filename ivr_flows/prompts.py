"""Render a SAY command's prompt to the text a caller hears."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateError

from ivr_flows.loader import prompt_key
from ivr_flows.models import Flow


class PromptError(LookupError):
    """A prompt that is missing or cannot be rendered with the session's variables."""


def render(flow: Flow, key: str, language: str, params: Mapping[str, Any]) -> str:
    """The prompt `key` of `flow` in `language` (falling back to the flow's first language)."""
    template = flow.compiled.get(prompt_key(key, language)) or flow.compiled.get(
        prompt_key(key, flow.languages[0])
    )
    if template is None:
        raise PromptError(f"{flow.name}: no prompt {key!r}")
    try:
        return " ".join(str(template.render({**params, "lang": language})).split())
    except TemplateError as err:
        raise PromptError(f"{flow.name}: prompt {key!r} ({language}): {err}") from err
