"""`callcenter user unlock NAME` (issue 18): unlocks an account that wrong passwords locked,
audited as done from the command line; clear messages otherwise."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.auth.models import SignInRefusal
from callcenter.config import load_settings
from callcenter.core.audit import Editor, Stamp
from callcenter.storage import db
from callcenter.storage.audit import SqlAuditLog
from callcenter.storage.sign_ins import SqlSignInStore
from tests.conftest import NOW
from tests.integration import test_cli
from tests.integration.test_cli import run

ATTEMPT = Stamp(NOW, Editor("anonymous", None, "198.51.100.7"))


_in_tmp = test_cli._in_tmp  # each test in a working directory of its own (autouse)


async def _lock(username: str, times: int = 2) -> list[tuple[str, str]]:
    """`times` wrong passwords with a lockout of two; the audit's (actor, action) pairs."""
    engine = db.create_engine(load_settings(None, {}).database_url)
    try:
        store = SqlSignInStore(engine)
        for _ in range(times):
            await store.refused(username, None, SignInRefusal.BAD_PASSWORD, 2, ATTEMPT)
        return [(e.editor.role, e.action) for e in await SqlAuditLog(engine).entries("user")]
    finally:
        await engine.dispose()


def test_user_unlock(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "user", "add", "--role", "agent", "lin", "--password", "pw12345678")
    assert code == 0
    assert asyncio.run(_lock("lin"))[-1] == ("anonymous", "lock")
    assert run(capsys, "user", "unlock", "lin") == (0, "unlocked lin\n", "")
    assert run(capsys, "user", "unlock", "lin") == (0, "lin was not locked\n", "")
    assert asyncio.run(_lock("lin", 0))[-1] == ("cli", "unlock")
    code, _, err = run(capsys, "user", "unlock", "nobody")
    assert code == 1 and "no user named 'nobody'" in err


def test_user_add_still_needs_a_role(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "user", "add", "lin", "--password", "pw12345678")
    assert code == 2 and "user add needs --role" in err
