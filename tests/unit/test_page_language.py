"""The desk's default page language from the browser's Accept-Language header."""

from __future__ import annotations

import pytest

from agents.desk import page_language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "zh-CN"),
        ("en-US", "en-US"),
        ("en-GB,en;q=0.9", "en-US"),
        ("zh-TW", "zh-CN"),
        ("zh-CN;q=0.5, en;q=0.8", "en-US"),
        ("fr, en;q=0.3, zh;q=0.2", "en-US"),
        ("fr, de", "zh-CN"),
        ("en;q=0", "zh-CN"),
        ("en;q=abc, zh-CN;q=0.1", "zh-CN"),
        ("EN-us", "en-US"),
    ],
)
def test_page_language(header: str, language: str) -> None:
    assert page_language(header) == language
