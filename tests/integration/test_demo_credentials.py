"""The demo banner names a credentials file only its owner can read; it never prints a
password or the admin API token."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from callcenter.auth.passwords import verify_password
from callcenter.cli import main
from callcenter.demo_banner import (
    CREDENTIALS_FILE,
    DemoLogins,
    Login,
    announce_demo,
    write_credentials,
)
from callcenter.storage import db
from callcenter.storage.tables import users

LOGINS = DemoLogins(
    [
        Login("agent01", "agent", "pw-Secret-1", "坐席 01"),
        Login("admin", "admin", "pw-2", "管理员"),
    ],
    "cc_DemoToken0123456789",
)
EXAMPLES = {"a customer in arrears": "+8613800138000"}


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would let everybody read a file created without an explicit mode."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_banner_points_to_an_owner_only_file(tmp_path: Path, open_umask: None) -> None:
    banner = announce_demo(LOGINS, EXAMPLES, "http://127.0.0.1:8080", tmp_path / "data")
    path = tmp_path / "data" / CREDENTIALS_FILE
    assert _mode(path) == 0o600
    assert str(path) in banner and "agent01" in banner and "坐席 01" in banner
    for secret in ("pw-Secret-1", "pw-2", "cc_"):
        assert secret not in banner
    written = path.read_text(encoding="utf-8")
    assert "pw-Secret-1" in written and "admin API token: cc_DemoToken0123456789" in written
    assert "Bearer $TOKEN" in written and "TOKEN=cc_DemoToken0123456789" in written


def test_the_file_is_replaced_whole_and_stays_owner_only(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / CREDENTIALS_FILE
    path.write_text("an older demo's logins, readable by all\n")
    path.chmod(0o644)
    assert write_credentials(LOGINS, {}, "http://h", tmp_path) == path
    assert _mode(path) == 0o600 and "older" not in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [CREDENTIALS_FILE]  # no temporary left


def test_demo_seed_prints_no_secret_and_the_file_signs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_DATABASE__URL", "CALLCENTER_REDIS__URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["demo", "seed", "--customers", "5"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "data" / CREDENTIALS_FILE
    assert str(path) in out and "agent20" in out and "cc_" not in out
    assert _mode(path) == 0o600
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
    password = next(row[2] for row in rows if row[:2] == ["agent", "agent01"])
    assert password not in out
    assert _signs_in("agent01", password, tmp_path / "data" / "callcenter.db")


def _signs_in(username: str, password: str, sqlite: Path) -> bool:
    async def check() -> bool:
        engine = db.create_engine(f"sqlite+aiosqlite:///{sqlite}")
        try:
            async with engine.connect() as conn:
                query = select(users.c.password_hash).where(users.c.username == username)
                stored = (await conn.execute(query)).scalar_one()
            return verify_password(password, stored)
        finally:
            await db.dispose(engine)

    return asyncio.run(check())
