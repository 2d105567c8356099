"""The pages' templates hold nothing the Content-Security-Policy refuses: no inline script
(the bootstrap JSON is data, `type="application/json"`, never run), no event-handler
attribute (`onclick=`…), no `javascript:` URL, no inline style; every script and stylesheet
is a file of ours."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path.relative_to(ROOT)
    for package in ("agents", "callcenter", "outbound", "ivr_flows")
    for path in (ROOT / package).rglob("templates/*.html")
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})


class Refusals(HTMLParser):
    """What a browser under `script-src 'self'; style-src 'self'` would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self._inline_script = "src" not in named and named.get("type") != "application/json"
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and text.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
            if name in URL_ATTRIBUTES and text.startswith(("http:", "https:", "//")):
                self.found.append(f"<{tag} {name}={value}> (not our own file)")

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:40]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = False


def test_the_pages_are_found() -> None:
    assert {path.name for path in TEMPLATES} >= {
        "base.html",
        "desk.html",
        "wallboard.html",
        "ops.html",
        "ticket_board.html",
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=str)
def test_a_template_has_nothing_the_policy_refuses(template: Path) -> None:
    parser = Refusals()
    parser.feed((ROOT / template).read_text(encoding="utf-8"))
    assert parser.found == []


@pytest.mark.parametrize(
    ("markup", "found"),
    [
        ("<script>alert(1)</script>", ["inline <script>: alert(1)"]),
        ('<form onsubmit="return false">', ["<form onsubmit=…>"]),
        ('<a href="javascript:go()">', ["<a href=javascript:…>"]),
        ('<p style="color:red">', ["<p style=…>"]),
        (
            '<script src="https://cdn.example.com/x.js"></script>',
            ["<script src=https://cdn.example.com/x.js> (not our own file)"],
        ),
        ('<script id="b" type="application/json">{"a": 1}</script>', []),
        ('<script src="/static/agents/desk.js"></script>', []),
    ],
)
def test_the_check_sees_what_a_browser_would_refuse(markup: str, found: list[str]) -> None:
    parser = Refusals()
    parser.feed(markup)
    assert parser.found == found
