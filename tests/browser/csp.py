"""The Content-Security-Policy violations Chromium reports on the pages under test: every
context of the shared browser fixtures is watched (each page reports its
`securitypolicyviolation` events, as console errors the test side collects), and the fixture
fails a test that left one behind. A test that provokes violations on purpose takes them."""

from __future__ import annotations

from typing import Any

MARK = "CSP violation:"
# Runs before the page's own scripts; init scripts are not subject to the page's policy.
REPORTER = f"""
window.__csp = [];
document.addEventListener("securitypolicyviolation", (ev) => {{
  const seen = ev.effectiveDirective + " " + (ev.blockedURI || "inline");
  window.__csp.push(seen);
  console.error({MARK!r} + " " + seen + " at " + ev.documentURI);
}});
"""


class CspWatch:
    """Collects what the watched contexts report."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    async def watch(self, context: Any) -> None:
        """Report the violations of every page of `context` from now on."""
        await context.add_init_script(REPORTER)
        context.on("console", self._heard)

    def _heard(self, message: Any) -> None:
        if message.text.startswith(MARK):
            self.violations.append(message.text)

    def take(self) -> list[str]:
        """The violations so far, forgotten (a test that caused them checked them)."""
        taken, self.violations = self.violations, []
        return taken


class WatchedBrowser:
    """A Playwright browser whose every new context (and page) is watched by `csp`."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.csp = CspWatch()

    async def new_context(self, **options: Any) -> Any:
        context = await self._browser.new_context(**options)
        await self.csp.watch(context)
        return context

    async def new_page(self, **options: Any) -> Any:
        page = await self._browser.new_page(**options)
        await self.csp.watch(page.context)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
