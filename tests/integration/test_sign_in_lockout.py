"""Wrong passwords in a row lock an account (issue 18): the right password is then refused
with the same 401 `bad-credentials`, until an admin unlocks it; every outcome is audited
with the client's address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.tables import users
from callcenter.web.keys import ENGINE
from tests.integration.admin_helpers import send, staff
from tests.integration.sign_in_helpers import (
    ADDRESS,
    Client,
    MakeClient,
    attempt,
    limited_client,
    user_audit,
)


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    return await limited_client(aiohttp_client, stores, clock, per_username=100, lockout=3)


async def test_lockout_after_wrong_passwords_then_admin_unlock(
    client: Client, clock: ManualClock
) -> None:
    user_id, _ = await staff(client, Role.AGENT, "zhou.min")
    _, admin = await staff(client, Role.ADMIN, "boss")
    for _ in range(3):
        assert (await attempt(client, "zhou.min", "wrong-password"))[0] == 401
    status, body, _ = await attempt(client, "zhou.min", "admin-password-1")  # the right one
    assert (status, body["error"]["code"]) == (401, "bad-credentials")
    admin_hop = {"X-Forwarded-For": "203.0.113.20"} | admin
    assert await send(client, "POST", f"/api/users/{user_id}/unlock", admin_hop) == (
        200,
        {"user_id": user_id, "username": "zhou.min", "was_locked": True},
    )
    assert (await attempt(client, "zhou.min", "admin-password-1"))[0] == 200
    entries = [
        (e.action, e.entity_id, e.editor.address, dict(e.data)) for e in await user_audit(client)
    ]
    failed = {"username": "zhou.min", "reason": "bad-password"}
    assert entries == [
        ("sign-in-failed", str(user_id), ADDRESS, failed | {"failed_sign_ins": 1}),
        ("sign-in-failed", str(user_id), ADDRESS, failed | {"failed_sign_ins": 2}),
        ("sign-in-failed", str(user_id), ADDRESS, failed | {"failed_sign_ins": 3}),
        ("lock", str(user_id), ADDRESS, {"username": "zhou.min", "failed_sign_ins": 3}),
        ("sign-in-failed", str(user_id), ADDRESS, failed | {"reason": "locked"}),
        (
            "unlock",
            str(user_id),
            "203.0.113.20",
            {"username": "zhou.min", "was_locked": True, "failed_sign_ins": 3},
        ),
        ("sign-in", str(user_id), ADDRESS, {"username": "zhou.min"}),
    ]
    unlocked = await user_audit(client)
    assert (unlocked[5].editor.role, unlocked[-1].editor.role) == ("admin", "agent")


async def test_a_success_resets_the_failures_in_a_row(client: Client) -> None:
    await staff(client, Role.AGENT, "he.jun")
    for password in ("bad-1", "bad-2", "admin-password-1", "bad-3", "bad-4"):
        await attempt(client, "he.jun", password)
    assert (await attempt(client, "he.jun", "admin-password-1"))[0] == 200


async def test_a_disabled_user_and_an_unknown_one_get_the_same_answer(client: Client) -> None:
    user_id, _ = await staff(client, Role.AGENT, "gone")
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
    disabled = await attempt(client, "gone", "admin-password-1")  # the right password
    unknown = await attempt(client, "nobody.here", "admin-password-1")
    assert (
        disabled[:2]
        == unknown[:2]
        == (
            401,
            {"error": {"code": "bad-credentials", "message": "wrong username or password"}},
        )
    )
    entries = [(e.entity_id, dict(e.data)) for e in await user_audit(client)]
    assert entries == [
        (str(user_id), {"username": "gone", "reason": "disabled"}),
        ("", {"username": "nobody.here", "reason": "unknown-user"}),
    ]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/users/999/unlock", 404, "no-such-user"),
        ("/api/users/99999999999/unlock", 404, "no-such-user"),
        ("/api/users/x1/unlock", 400, "invalid-id"),
    ],
)
async def test_unlock_errors(client: Client, path: str, status: int, code: str) -> None:
    _, admin = await staff(client, Role.ADMIN, "boss")
    answer = await send(client, "POST", path, admin)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)


async def test_only_an_admin_unlocks(client: Client, clock: ManualClock) -> None:
    user_id, supervisor = await staff(client, Role.SUPERVISOR, "sup")
    clock.advance(timedelta(seconds=1))
    answer = await send(client, "POST", f"/api/users/{user_id}/unlock", supervisor)
    assert (answer[0], answer[1]["error"]["code"]) == (403, "forbidden")
