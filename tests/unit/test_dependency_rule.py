"""The package dependency rule of ARCHITECTURE.md, checked on the import statements."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("callcenter", "ivr_flows", "agents", "outbound")
# Feature packages: may import callcenter.core (and the boundary helpers) of the project.
FEATURES = (
    "ivr_flows",
    "agents",
    "outbound",
    "callcenter.calls",
    "callcenter.customers",
    "callcenter.tickets",
    "callcenter.auth",
    "callcenter.outages",
    "callcenter.webhooks",  # outgoing webhooks (issue 15)
    "callcenter.recordings",  # issue 16 (recordings)
    "callcenter.audit",  # issue 18 (the audit log API)
)
FEATURE_ALLOWED = ("callcenter.core", "callcenter.httpkit")
# Adapters: core, and the feature packages' models and ports (never services or http).
ADAPTERS = ("callcenter.storage", "callcenter.state", "callcenter.telephony")
COMPOSITION = (
    "callcenter.app",
    "callcenter.cli",
    "callcenter.cli_admin",  # command modules: the outage command starts campaigns by policy
    "callcenter.cli_outages",
    "callcenter.cli_campaigns",  # the `campaign` commands
    "callcenter.cli_campaign_run",
    "callcenter.cli_users",  # issue 18: `user unlock`
    "callcenter.cli_audit",  # `audit export`
    "callcenter.web",
    "callcenter.devtools",
    "callcenter.__main__",
    "callcenter.demo",
    "callcenter.callflow",
    "callcenter.campaigns",
    "callcenter.simulate",
    "callcenter.simulator",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            package = ROOT.joinpath(*node.module.split("."))
            found += [  # `from pkg import module` imports pkg.module
                f"{node.module}.{a.name}" if (package / f"{a.name}.py").exists() else node.module
                for a in node.names
            ]
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _modules() -> list[Path]:
    return sorted(
        p for pkg in PROJECT for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts
    )


def _violation(module: str, imported: str) -> str | None:
    if not _within(imported, PROJECT):
        if _within(module, ("callcenter.core",)):
            top = imported.split(".")[0]
            return None if top in sys.stdlib_module_names else "core imports only the stdlib"
        return None
    own = next((f for f in FEATURES + ADAPTERS if _within(module, (f,))), None)
    if own and _within(imported, (own,)):
        return None
    if _within(module, ("callcenter.core",)) and not _within(imported, ("callcenter.core",)):
        return "core imports nothing of the project"
    if _within(module, FEATURES) and not _within(imported, FEATURE_ALLOWED):
        return "a feature package imports only callcenter.core"
    if _within(module, ADAPTERS):
        is_port = imported.rsplit(".", 1)[-1] in (
            "models",
            "ports",
            "lifecycle",
            "codec",
            "prompts",
            "events",
            "commands",
            "gateway",  # outbound.gateway: the Gateway port
        )
        if not (
            _within(imported, FEATURE_ALLOWED)
            or (_within(imported, FEATURES) and is_port)
            or _within(imported, ADAPTERS)
        ):
            return "an adapter imports core and feature models/ports only"
    if _within(imported, COMPOSITION) and not _within(module, COMPOSITION):
        return "only the composition root, CLI and web import app/cli/web"
    return None


def test_every_import_follows_the_rule() -> None:
    problems = []
    for path in _modules():
        module = _module_name(path)
        for imported in _imports(path):
            why = _violation(module, imported)
            if why:
                problems.append(f"{module} imports {imported}: {why}")
    assert problems == []


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("agents.routing", "callcenter.storage.tables"),
        ("ivr_flows.engine", "callcenter.app"),
        ("callcenter.core.ids", "callcenter.calls.models"),
        ("callcenter.core.ids", "aiohttp"),
        ("callcenter.storage.calls", "callcenter.calls.service"),
        ("callcenter.calls.service", "callcenter.web.keys"),
    ],
)
def test_the_checker_catches_violations(module: str, imported: str) -> None:
    assert _violation(module, imported) is not None
