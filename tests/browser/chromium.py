"""Debian's Chromium driven by Playwright (no browser download): where it is, the flags that
keep it off the network, the skip when it is missing locally, and failure screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def playwright_or_skip() -> Any:
    """Playwright's async API; skips the calling module when Playwright or (outside CI)
    Debian's chromium is missing. Call it at module level."""
    api = pytest.importorskip("playwright.async_api")
    if not shutil.which(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip("Debian's chromium is not installed (CI installs it)", allow_module_level=True)
    return api


async def screenshots(request: pytest.FixtureRequest, pages: dict[str, Any]) -> None:
    """Keep a full-page screenshot of each page under test-artifacts/ (on failure)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, page in pages.items():
        await page.screenshot(
            path=str(ARTIFACTS / f"{request.node.name}-{label}.png"), full_page=True
        )
