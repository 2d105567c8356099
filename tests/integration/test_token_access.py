"""Tokens over HTTP (issue 18): sign-in tokens expire, API tokens live the days asked for,
revocation and a user's role or enabled state take effect on the next request, the admin
REST for tokens and users, and every sign-in, sign-out, creation, revocation and change is
audited with its actor and address (embedded and real stores)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.storage.audit import SqlAuditLog
from callcenter.web.keys import AUTH, ENGINE
from tests.conftest import NOW
from tests.integration.admin_helpers import PASSWORD, Client, app_client, send, staff

client = app_client


@pytest.fixture
async def admin(client: Client) -> tuple[int, dict[str, str]]:
    return await staff(client, Role.ADMIN)


async def sign_in(client: Client, username: str) -> tuple[dict[str, str], Any]:
    """A bearer header from a password sign-in, and the login answer."""
    status, body = await send(
        client, "POST", "/api/auth/login", {}, {"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return {"Authorization": "Bearer " + body["token"]}, body


async def code_of(client: Client, auth: dict[str, str], path: str = "/api/users") -> Any:
    status, body = await send(client, "GET", path, auth)
    return status, body["error"]["code"] if status >= 400 else None


async def test_a_sign_in_token_expires(client: Client, clock: ManualClock) -> None:
    await client.app[AUTH].add_user("boss", Role.ADMIN, PASSWORD)
    auth, login = await sign_in(client, "boss")
    assert login["expires_at"] == (NOW + timedelta(minutes=720)).isoformat().replace("+00:00", "Z")
    assert await code_of(client, auth) == (200, None)
    clock.advance(timedelta(minutes=720))
    assert await code_of(client, auth) == (401, "token-expired")


async def test_an_expired_api_token_is_distinct_from_an_unknown_one(
    client: Client, clock: ManualClock
) -> None:
    _, secret = await client.app[AUTH].create_token(Role.OPERATOR, "ops", days=2)
    auth = {"Authorization": f"Bearer {secret}"}
    assert await code_of(client, auth, "/api/calls") == (200, None)
    clock.advance(timedelta(days=2))
    assert await code_of(client, auth, "/api/calls") == (401, "token-expired")
    unknown = {"Authorization": "Bearer cc_" + "x" * 43}
    assert await code_of(client, unknown, "/api/calls") == (401, "unauthorized")


async def test_a_role_change_is_in_force_at_the_next_request(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    other_id, other = await staff(client, Role.ADMIN, "second")
    assert await code_of(client, other) == (200, None)
    status, changed = await send(
        client, "PATCH", f"/api/users/{other_id}", admin[1], {"role": "agent"}
    )
    assert (status, changed["role"]) == (200, "agent")
    assert await code_of(client, other) == (403, "forbidden")


async def test_disabling_a_user_revokes_their_tokens(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    other_id, other = await staff(client, Role.SUPERVISOR, "super")
    status, changed = await send(
        client, "PATCH", f"/api/users/{other_id}", admin[1], {"disabled": True}
    )
    assert (status, changed["disabled"]) == (200, True)
    assert await code_of(client, other, "/api/calls") == (401, "account-disabled")
    _, listed = await send(client, "GET", f"/api/tokens?user_id={other_id}", admin[1])
    assert [t["revoked_reason"] for t in listed["tokens"]] == ["user disabled"]
    await send(client, "PATCH", f"/api/users/{other_id}", admin[1], {"disabled": False})
    assert await code_of(client, other, "/api/calls") == (401, "unauthorized")  # still revoked


async def test_an_admin_keeps_their_own_account(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    for change in ({"disabled": True}, {"role": "operator"}):
        status, error = await send(client, "PATCH", f"/api/users/{admin[0]}", admin[1], change)
        assert (status, error["error"]["code"]) == (409, "own-account")


async def test_api_tokens_made_listed_and_revoked_by_an_admin(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    body = {"role": "operator", "label": "billing sync", "days": 7}
    status, made = await send(client, "POST", "/api/tokens", admin[1], body)
    assert status == 201 and made["secret"].startswith("cc_")
    assert made["expires_at"] == (NOW + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    auth = {"Authorization": f"Bearer {made['secret']}"}
    assert await code_of(client, auth, "/api/calls") == (200, None)
    _, listed = await send(client, "GET", "/api/tokens?live=true", admin[1])
    assert made["id"] in [t["id"] for t in listed["tokens"]]
    assert made["secret"][3:] not in str(listed) and "hash" not in str(listed)
    status, revoked = await send(
        client, "DELETE", f"/api/tokens/{made['id']}?reason=leaked", admin[1]
    )
    assert (status, revoked["revoked_reason"]) == (200, "leaked")
    assert await code_of(client, auth, "/api/calls") == (401, "unauthorized")
    _, live = await send(client, "GET", "/api/tokens?live=true", admin[1])
    assert made["id"] not in [t["id"] for t in live["tokens"]]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/api/tokens", {"role": "operator", "days": 0}, 400, "invalid-token-days"),
        ("POST", "/api/tokens", {"role": "operator", "days": 366}, 400, "invalid-token-days"),
        ("POST", "/api/tokens", {"role": "root"}, 400, "invalid-body"),
        ("DELETE", "/api/tokens/999", None, 404, "no-such-token"),
        ("DELETE", "/api/tokens/x", None, 400, "invalid-id"),
        ("PATCH", "/api/users/999", {"disabled": True}, 404, "no-such-user"),
        ("POST", "/api/users/999/revoke-tokens", None, 404, "no-such-user"),
    ],
)
async def test_bad_admin_requests_have_stable_codes(
    client: Client,
    admin: tuple[int, dict[str, str]],
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    got, error = await send(client, method, path, admin[1], body)
    assert (got, error["error"]["code"]) == (status, code)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.OPERATOR])
async def test_token_and_user_admin_is_for_admins(client: Client, role: Role) -> None:
    _, auth = await staff(client, role)
    assert await code_of(client, auth, "/api/tokens") == (403, "forbidden")
    assert await code_of(client, auth, "/api/users") == (403, "forbidden")


async def test_sign_in_out_and_revocations_are_audited_with_the_address(
    client: Client, admin: tuple[int, dict[str, str]]
) -> None:
    user = await client.app[AUTH].add_user("agent7", Role.AGENT, PASSWORD)
    auth, _ = await sign_in(client, "agent7")
    assert (await send(client, "POST", "/api/auth/logout", auth))[1] == {"revoked": True}
    await sign_in(client, "agent7")
    path = f"/api/users/{user.id}/revoke-tokens?reason=lost+laptop"
    assert (await send(client, "POST", path, admin[1]))[1] == {"revoked": 1}
    log = SqlAuditLog(client.app[ENGINE])
    tokens = [(e.action, e.editor.role, e.editor.user_id) for e in await log.entries("token")]
    assert tokens[-3:] == [
        ("sign-in", "agent", user.id),
        ("sign-out", "agent", user.id),
        ("sign-in", "agent", user.id),
    ]
    # the sign-in service audits each attempt on the user too (sign-in); here: the revocation
    users = [e for e in await log.entries("user", str(user.id)) if e.action != "sign-in"]
    assert [(e.action, e.editor.user_id, e.data["reason"]) for e in users] == [
        ("revoke-tokens", admin[0], "lost laptop")
    ]
    addresses = {e.editor.address for e in [*(await log.entries("token"))[-3:], *users]}
    assert addresses == {"127.0.0.1"}
