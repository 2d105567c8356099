"""`callcenter token create --days N` (issue 18): the token's expiry, within
`security.api_token_max_days`; revocations audited from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from callcenter.storage import db
from callcenter.storage.audit import SqlAuditLog
from tests.integration.test_cli import _in_tmp, run

__all__ = ["_in_tmp"]


@pytest.mark.parametrize(
    ("days", "env", "message"),
    [
        ("0", None, "an API token lives 1 to 365 days"),
        ("366", None, "asked for 366"),
        ("31", "30", "an API token lives 1 to 30 days"),
    ],
)
def test_token_days_out_of_bounds_are_refused(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    days: str,
    env: str | None,
    message: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("CALLCENTER_SECURITY__API_TOKEN_MAX_DAYS", env)
    code, out, err = run(capsys, "token", "create", "--role", "operator", "--days", days)
    assert (code, out) == (1, "")
    assert message in err and "Traceback" not in err


def test_a_token_lives_the_days_asked_for_and_its_revocation_is_audited(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "token", "create", "--role", "operator", "--days", "7")
    assert code == 0 and "expires " in out and out.splitlines()[-1].startswith("cc_")
    code, out, _ = run(capsys, "token", "revoke", "--id", "1", "--reason", "leaked")
    assert (code, out) == (0, "revoked token 1\n")

    async def entries() -> list[tuple[str, str, object]]:
        engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'callcenter.db'}")
        try:
            found = await SqlAuditLog(engine).entries("token", "1")
        finally:
            await engine.dispose()
        return [(e.action, e.editor.role, e.data.get("reason")) for e in found]

    assert asyncio.run(entries()) == [("create", "cli", None), ("revoke", "cli", "leaked")]
