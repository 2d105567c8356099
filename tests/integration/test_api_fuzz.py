"""Schemathesis over the OpenAPI document against the app on PostgreSQL and Redis: every
check (server errors, status codes, content types, response schemas, negative data refused,
authentication, methods) in the examples, fuzzing and stateful phases, with a fixed seed and
a budget of 60 s (it was 100 s; CI's time). `bench/api_fuzz.py` runs it longer, coverage
phase included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from callcenter.core.clock import ManualClock
from callcenter.devtools.api_fuzz import FUZZ_ENV, FuzzBudget, fuzz_app
from tests.integration.admin_helpers import make_app

# the fuzzing and stateful phases take turns until the time is up
BUDGET = FuzzBudget(examples=2, seed=18, max_seconds=60, stateful_steps=5, coverage=False)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("stores", [("postgresql", "redis")], indirect=True)
async def test_schemathesis_finds_no_server_error_and_no_failed_check(
    aiohttp_server: Callable[[web.Application], Awaitable[TestServer]],
    stores: tuple[str, str],
    clock: ManualClock,
) -> None:
    app = make_app(stores, clock, **FUZZ_ENV)
    server = await aiohttp_server(app)
    report = await fuzz_app(app, str(server.make_url("")).rstrip("/"), BUDGET)
    assert report.requests > 500, report.summary()
    assert report.stop_reason in {"completed", "max_time"}, report.summary()
    assert (report.server_errors, dict(report.failures), report.errors) == (0, {}, []), (
        report.summary()
    )
