"""Schemathesis against the app's OpenAPI document: every check, every phase, a fixed seed.

Used by `tests/integration/test_api_fuzz.py` (a short budget) and `bench/api_fuzz.py` (a long
one). The run is synchronous (schemathesis sends requests with `requests`): call it from a
thread while the app serves on a real port.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import schemathesis
from aiohttp import web
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from callcenter.auth.http import LOGIN_PATH
from callcenter.core.api import Role
from callcenter.web.keys import AUTH
from callcenter.web.openapi import build_document

ADMIN = "fuzz.admin"
# settings of the app under test: the fuzzer signs in again after it revoked its token, and
# sends many wrong passwords from one address (rate limits and lock-out are tested elsewhere)
FUZZ_ENV = {
    "CALLCENTER_SECURITY__SIGN_IN_PER_MINUTE_ADDRESS": "100000",
    "CALLCENTER_SECURITY__SIGN_IN_PER_MINUTE_USERNAME": "1000",
    "CALLCENTER_SECURITY__LOCKOUT_FAILURES": "1000",
    "CALLCENTER_OUTBOUND__RUN_DIALER": "false",
}
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]
# how many failures a report keeps in full, to show what went wrong
SHOWN = 200


@dataclass(frozen=True, slots=True)
class FuzzBudget:
    """How much to generate: examples per operation and phase, a seed, a time limit."""

    examples: int = 10
    seed: int = 18
    max_seconds: int | None = None
    stateful_steps: int = 10
    coverage: bool = True  # the boundary values of every schema: thorough, and slow


@dataclass(slots=True)
class FuzzReport:
    """What a run found."""

    requests: int = 0
    operations: int = 0
    server_errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    shown: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    stop_reason: str = ""
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """Figures and the first failures, for a person."""
        lines = [
            f"{self.requests} requests on {self.operations} operations in {self.elapsed:.1f} s "
            f"({self.stop_reason}); server errors: {self.server_errors}",
            "failures by check: "
            + (", ".join(f"{k} {v}" for k, v in self.failures.items()) or "none"),
            "phases ended at: " + ", ".join(f"{k} {v:.0f} s" for k, v in self.phases.items()),
            "statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())),
        ]
        return "\n".join(lines + self.errors + list(self.shown.values()))


def config(base_url: str, password: str, budget: FuzzBudget) -> SchemathesisConfig:
    """Every check and every phase (examples, coverage, fuzzing, stateful), reproducible,
    signed in as `ADMIN` (again whenever a 401 says the token was revoked: the fuzzer signs
    out and revokes tokens too)."""
    generation = {"mode": "all", "max-examples": budget.examples, "database": "none"}
    login = {
        "path": LOGIN_PATH,
        "payload": {"username": ADMIN, "password": password},
        "extract_selector": "/token",
    }
    data: dict[str, Any] = {
        "seed": budget.seed,
        "base-url": base_url,
        "auth": {"dynamic": {"openapi": {"bearer": login}}},
        "generation": generation | {"deterministic": True, "no-shrink": True},
        # a schema-valid request may still break a rule that JSON Schema cannot say (a phone
        # number's shape, a target's grammar, one date before another, no NUL): 400, coded
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "phases": {
            "coverage": {"enabled": budget.coverage},
            "stateful": {"max-steps": budget.stateful_steps},
        },
        # a ticket's call link answers 404 for an unknown call in the body (`no-such-call`),
        # which this check takes for the ticket just created being gone
        "operations": [
            {
                "include-path": "/api/tickets/{ticket_id}/calls",
                "checks": {"ensure_resource_availability": {"enabled": False}},
            }
        ],
        # the simulator's long poll answers at once rather than after up to a minute
        "parameters": {"query.wait": 0},
        "workers": 1,
        "request-timeout": 30,
        "suppress-health-check": ["all"],
    }
    if budget.max_seconds is not None:
        data["max-time"] = budget.max_seconds
    return SchemathesisConfig.from_dict(data)


def _record(report: FuzzReport, recorder: Any) -> None:
    for interaction in recorder.interactions.values():
        report.requests += 1
        if interaction.response is not None:
            report.statuses[interaction.response.status_code] += 1
            report.server_errors += interaction.response.status_code >= 500
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            report.failures[check.name] += 1
            label = recorder.cases[case_id].value.operation.label
            if len(report.shown) < SHOWN and (check.name, label) not in report.shown:
                failure = check.failure_info.failure
                report.shown[check.name, label] = (
                    f"- {check.name} on {label}: {failure.title}: "
                    f"{failure.message[:300]}\n  {check.failure_info.code_sample[:600]}"
                )


def run(document: dict[str, Any], base_url: str, password: str, budget: FuzzBudget) -> FuzzReport:
    """Run schemathesis over `document` against the server at `base_url`."""
    schema = schemathesis.openapi.from_dict(document, config=config(base_url, password, budget))
    report = FuzzReport(operations=len(document["paths"]))
    started = time.time()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(report, event.recorder)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"! {event.label}: {event.info.message}"[:600])
        elif isinstance(event, events.FatalError):
            report.errors.append(f"!! {event.exception!r}")
        elif isinstance(event, events.PhaseStarted | events.PhaseFinished):
            report.phases[event.phase.name.value] = event.timestamp - started
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = event.stop_reason.value
    report.elapsed = time.time() - started
    return report


async def add_admin(app: web.Application) -> str:
    """The password of a new admin user `ADMIN` of the running `app`."""
    password = secrets.token_urlsafe(16)
    await app[AUTH].add_user(ADMIN, Role.ADMIN, password)
    return password


async def fuzz_app(app: web.Application, base_url: str, budget: FuzzBudget) -> FuzzReport:
    """Fuzz the started `app`, served at `base_url`, as an admin. Schemathesis runs in a
    child process: it is busy generating, and in a thread it would hold the GIL the app needs
    to serve on this loop."""
    password = await add_admin(app)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        work = partial(run, build_document(app), base_url, password, budget)
        return await asyncio.get_running_loop().run_in_executor(pool, work)
