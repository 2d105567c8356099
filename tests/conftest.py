"""Shared fixtures: real PostgreSQL and Redis (given by URL or started here) and the embedded
defaults, fresh migrated databases per test, the app through `aiohttp_client`."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.config import RedisSettings, Settings, load_settings
from callcenter.core.clock import ManualClock
from callcenter.devtools.servers import ServerUnavailableError, postgres_server, redis_server
from callcenter.state import redis as redis_state
from callcenter.storage import db, migrate
from callcenter.storage.pg import FastPg
from tests.pg_clones import PgClones, admin

# all: embedded and real stores; embedded: SQLite + memory://; real: PostgreSQL + Redis.
BACKENDS = os.environ.get("CCTEST_BACKENDS", "all")
SQL_BACKENDS = {"all": ["sqlite", "postgresql"], "embedded": ["sqlite"], "real": ["postgresql"]}[
    BACKENDS
]
REDIS_BACKENDS = {"all": ["memory", "redis"], "embedded": ["memory"], "real": ["redis"]}[BACKENDS]
STORE_PAIRS = [
    pair for pair in [("sqlite", "memory"), ("postgresql", "redis")] if pair[0] in SQL_BACKENDS
]
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
# The apps' call journals (`app_settings`), one directory for the session, removed at its end
_JOURNALS = tempfile.TemporaryDirectory(prefix="cc-test-journals-")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _servers() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _server(
    stack: ExitStack, env: str | None, start: Callable[[], AbstractContextManager[str]]
) -> str:
    """The server given by the environment variable `env`, else one started here."""
    url = os.environ.get(env) if env else None
    if url:
        return url
    try:
        return stack.enter_context(start())
    except ServerUnavailableError as err:
        _unavailable(str(err))
        raise


@pytest.fixture(scope="session")
def postgres_url(_servers: ExitStack) -> str:
    """An admin URL of a real PostgreSQL server."""
    return _server(_servers, "CCTEST_POSTGRES_URL", postgres_server)


@pytest.fixture(scope="session")
def redis_server_url(_servers: ExitStack) -> str:
    """The URL of a real Redis server: the one given for the first (or only) test worker,
    one of its own for each other worker, since apps share keys and pub/sub channels by
    their prefix and a test clears its app's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return _server(_servers, "CCTEST_REDIS_URL" if worker == "gw0" else None, redis_server)


def app_settings(stores: tuple[str, str], **env: str) -> Settings:
    """Settings for an app on the given stores, without demo data or a campaign dialer,
    plus `env` overrides."""
    database_url, redis_url = stores
    base = {
        "CALLCENTER_DATABASE__URL": database_url,
        "CALLCENTER_REDIS__URL": redis_url,
        "CALLCENTER_DEMO__LOAD_ON_FIRST_START": "false",
        # no campaign dialing in the background unless a test asks for it
        "CALLCENTER_OUTBOUND__RUN_DIALER": "false",
        # each app its own call journal: a test that leaves the database down must not
        # leave lines that a later test's app replays into its own database
        "CALLCENTER_STORAGE__JOURNAL_DIR": tempfile.mkdtemp(dir=_JOURNALS.name),
        # cheap password hashes (each stored hash names its own work factor)
        "CALLCENTER_SECURITY__PASSWORD_SCRYPT_N": "1024",
        # a look-up slowed by a busy test machine is not a database that hangs
        "CALLCENTER_IVR__LOOKUP_TIMEOUT_SECONDS": "14",
    }
    return load_settings(None, base | env)


@pytest.fixture
def clock() -> ManualClock:
    """A clock standing at NOW until a test moves it."""
    return ManualClock(NOW)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _run_in_thread(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion on its own loop (fixtures may be set up inside a loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(make())).result()


async def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_template(postgres_url: str) -> Iterator[str]:
    """A migrated template database; each test clones it. Dropped at the end."""
    name = f"cc_tmpl_{uuid.uuid4().hex[:8]}"

    dsn = _plain(postgres_url)

    async def make() -> None:
        await admin(dsn, f'CREATE DATABASE "{name}"')
        await _migrate(_with_db(postgres_url, name))

    _run_in_thread(make)
    yield name
    _run_in_thread(lambda: admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_clones(postgres_url: str, pg_template: str) -> Iterator[PgClones]:
    """Fresh clones of the template, made ahead of the tests that take them."""
    clones = PgClones(_plain(postgres_url), pg_template)
    yield clones
    clones.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test copies it."""
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    _run_in_thread(lambda: _migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@asynccontextmanager
async def _fresh_database(request: pytest.FixtureRequest, backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path") / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    clones: PgClones = request.getfixturevalue("pg_clones")
    name = await clones.take()
    try:
        yield _with_db(request.getfixturevalue("postgres_url"), name)
    finally:
        clones.drop(name)


@pytest_asyncio.fixture(params=SQL_BACKENDS)
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, migrated database on each SQL backend."""
    async with _fresh_database(request, request.param) as url:
        yield url


@pytest_asyncio.fixture(params=STORE_PAIRS)
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, str]]:
    """(database URL, Redis URL): the embedded defaults, and real PostgreSQL with real Redis."""
    sql, kv = request.param
    redis = "memory://" if kv == "memory" else str(request.getfixturevalue("redis_server_url"))
    if kv != "memory":
        await _forget_app_keys(redis)
    async with _fresh_database(request, sql) as url:
        yield url, redis


APP_PREFIX = RedisSettings().key_prefix


def on_real_stores_only_for(stores: tuple[str, str], chosen: bool) -> None:
    """Skip a case of a large table on the real servers unless it is `chosen`: every case
    runs on the embedded stores, a representative few on PostgreSQL and Redis as well."""
    if not stores[1].startswith("memory://") and not chosen:
        pytest.skip("the table runs whole on the embedded stores; chosen cases on real ones")


async def _forget_app_keys(url: str) -> None:
    """Each test's app starts on a Redis without the previous test's calls, agents and
    counters (only the app's default key prefix is touched, never the whole server)."""
    client = redis_state.connect(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{APP_PREFIX}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the fresh database."""
    eng = db.create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest_asyncio.fixture
async def pg_engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh PostgreSQL database, for PostgreSQL-only behaviour."""
    async with _fresh_database(request, "postgresql") as url:
        eng = db.create_engine(url)
        yield eng
        await eng.dispose()


@pytest_asyncio.fixture(params=["engine", "fastpg"])
async def fast_pg(
    request: pytest.FixtureRequest, engine: AsyncEngine
) -> AsyncIterator[FastPg | None]:
    """On PostgreSQL, each hot-path statement both through the engine and through asyncpg
    (`FastPg`); SQLite has only the engine (the other combination is deselected)."""
    fast = FastPg.for_engine(engine, 4) if request.param == "fastpg" else None
    yield fast
    if fast is not None:
        await fast.close()


@pytest.fixture(params=REDIS_BACKENDS)
def redis_url(request: pytest.FixtureRequest) -> str:
    """`memory://` or a real Redis server."""
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue("redis_server_url"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With CCTEST_BACKENDS=embedded, tests that need a real PostgreSQL server are skipped;
    SQLite has no asyncpg path to test."""
    sqlite_fastpg = [
        item
        for item in items
        if isinstance(item, pytest.Function)
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("database_url") == "sqlite"
        and item.callspec.params.get("fast_pg") == "fastpg"
    ]
    if sqlite_fastpg:
        config.hook.pytest_deselected(items=sqlite_fastpg)
        items[:] = [item for item in items if item not in sqlite_fastpg]
    if BACKENDS != "embedded":
        return
    skip = pytest.mark.skip(reason="CCTEST_BACKENDS=embedded: no PostgreSQL in this run")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def prompts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory of rendered prompts for the whole run: an app with FastAGI renders the
    flows' missing prompts when it starts, so only the first start pays for it."""
    return tmp_path_factory.mktemp("prompts")
