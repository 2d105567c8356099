"""Sign-in attempts are limited per username and per address over a minute (issue 18): the
next one is 429 `too-many-attempts` with Retry-After, the first one over a limit audited."""

from __future__ import annotations

from datetime import timedelta

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH
from tests.integration.sign_in_helpers import (
    ADDRESS,
    PASSWORD,
    MakeClient,
    attempt,
    limited_client,
    user_audit,
)


async def test_the_sixth_attempt_in_a_minute_for_one_username_is_429(
    aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock
) -> None:
    client = await limited_client(aiohttp_client, stores, clock)
    await client.app[AUTH].add_user("li.na", Role.AGENT, PASSWORD)
    for _ in range(5):
        assert (await attempt(client, "li.na", "wrong-password"))[0] == 401
    clock.advance(timedelta(seconds=15))
    status, body, retry_after = await attempt(client, " LI.NA", PASSWORD)  # same name
    assert status == 429 and body["error"] == {
        "code": "too-many-attempts",
        "message": "too many sign-in attempts; try again in 45 s",
    }
    assert retry_after == "45"
    assert (await attempt(client, "li.na", PASSWORD, "203.0.113.5"))[0] == 429
    clock.advance(timedelta(seconds=45))  # the next minute
    assert (await attempt(client, "li.na", PASSWORD))[0] == 200
    throttled = [e for e in await user_audit(client) if e.action == "sign-in-throttled"]
    assert [(e.data, e.editor.address) for e in throttled] == [
        ({"username": " LI.NA", "limit": "username"}, ADDRESS)
    ]


async def test_the_address_limit_holds_across_usernames(
    aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock
) -> None:
    client = await limited_client(aiohttp_client, stores, clock, per_address=3)
    for name in ("a1", "a2", "a3"):
        assert (await attempt(client, name, "guess-1"))[0] == 401
    status, body, retry_after = await attempt(client, "a4", "guess-1")
    assert (status, body["error"]["code"], retry_after) == (429, "too-many-attempts", "60")
    assert (await attempt(client, "a4", "guess-1", "203.0.113.5"))[0] == 401  # another address


async def test_successful_sign_ins_give_their_attempt_back(
    aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock
) -> None:
    # A shift's agents behind one NAT address all sign in at once.
    client = await limited_client(aiohttp_client, stores, clock, per_username=2, per_address=2)
    await client.app[AUTH].add_user("wu.fang", Role.AGENT, PASSWORD)
    for _ in range(4):
        assert (await attempt(client, "wu.fang", PASSWORD))[0] == 200
    assert (await attempt(client, "wu.fang", "wrong-password"))[0] == 401
    assert (await attempt(client, "wu.fang", "wrong-password"))[0] == 401
    assert (await attempt(client, "wu.fang", PASSWORD))[0] == 429
