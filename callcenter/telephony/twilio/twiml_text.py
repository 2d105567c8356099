"""TwiML written straight to text, byte for byte what the `twilio` library's `VoiceResponse`
prints for the same verbs (attributes sorted, booleans as `true`, empty elements closed as
`<Verb />`), without building and serialising an element tree: an IVR step's reply is the
hot path (issue 17). `tests/unit/test_twiml_text.py` holds the two side by side."""

from __future__ import annotations

from collections.abc import Mapping

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#09;",
    }
)
Value = str | int | bool | None


def _value(value: str | int | bool) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def open_tag(name: str, attributes: Mapping[str, Value], empty: bool = False) -> str:
    """`<Name a="…">` (or `<Name a="…" />` when `empty`), None attributes left out."""
    parts = [name]
    for key in sorted(attributes):
        value = attributes[key]
        if value is not None:
            parts.append(f'{key}="{_value(value).translate(_ATTRIBUTE)}"')
    inner = " ".join(parts)
    return f"<{inner} />" if empty else f"<{inner}>"


def element(
    name: str, text: str | None = None, attributes: Mapping[str, Value] | None = None
) -> str:
    """A verb with text (or none: closed empty)."""
    if not text:
        return open_tag(name, attributes or {}, empty=True)
    return f"{open_tag(name, attributes or {})}{text.translate(_TEXT)}</{name}>"


def document(body: str) -> str:
    """A whole TwiML document around the verbs in `body`."""
    if not body:
        return f"{DECLARATION}<Response />"
    return f"{DECLARATION}<Response>{body}</Response>"
