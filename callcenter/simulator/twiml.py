"""TwiML as the simulator reads it: the verbs of a `<Response>`, in order (pure)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from callcenter.core.errors import CallcenterError


class SimulatorError(CallcenterError):
    """The simulated call cannot go on (server unreachable, refused, not TwiML)."""

    default_code = "simulator-failed"


@dataclass(frozen=True, slots=True)
class Verb:
    """One TwiML element: its name, attributes, text and nested elements."""

    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    children: tuple[Verb, ...] = ()

    def get(self, name: str, default: str = "") -> str:
        """An attribute's value."""
        return self.attrs.get(name, default)


def _verb(element: ET.Element) -> Verb:
    return Verb(
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        tuple(_verb(child) for child in element),
    )


def parse(text: str, where: str) -> tuple[Verb, ...]:
    """The verbs of a TwiML document; `SimulatorError` naming `where` when it is not one."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise SimulatorError(f"{where} did not answer TwiML ({err}): {text[:80]!r}") from None
    if root.tag != "Response":
        raise SimulatorError(f"{where} did not answer TwiML: <{root.tag}> instead of <Response>")
    return _verb(root).children


def spoken(verb: Verb) -> list[str]:
    """What a caller hears from a verb and the verbs nested in it (a Gather's prompts)."""
    if verb.name == "Say":
        return [verb.text]
    return [line for child in verb.children for line in spoken(child)]
