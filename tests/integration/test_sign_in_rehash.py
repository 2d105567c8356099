"""A site that changes `security.password_scrypt_n` gets its stored hashes remade with the new
work factor, one by one, at each user's next successful sign-in (issue 18's leftover): until
then a raised N protected only passwords set after the change."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from callcenter.auth.models import Rehash
from callcenter.auth.passwords import hash_password, verify_password, work_factor
from callcenter.core.api import Role
from callcenter.core.audit import Editor, Stamp
from callcenter.core.clock import ManualClock
from callcenter.storage.sign_ins import SqlSignInStore
from callcenter.storage.tables import users
from callcenter.web.keys import AUTH, ENGINE
from tests.integration.sign_in_helpers import (
    PASSWORD,
    Client,
    MakeClient,
    attempt,
    limited_client,
    user_audit,
)

OLD_N, SUITE_N = 2**14, 1024  # the default, and the suite's (`tests.conftest.app_settings`)


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    """The app with N = 1024, and a user whose hash was made with N = 2^14 before."""
    client = await limited_client(aiohttp_client, stores, clock)
    user = await client.app[AUTH].add_user("qian.yu", Role.AGENT, PASSWORD)
    old = hash_password(PASSWORD, n=OLD_N)
    async with client.app[ENGINE].begin() as conn:
        await conn.execute(update(users).where(users.c.id == user.id).values(password_hash=old))
    return client


async def stored(client: Client) -> str:
    async with client.app[ENGINE].connect() as conn:
        query = select(users.c.password_hash).where(users.c.username == "qian.yu")
        return str((await conn.execute(query)).scalar_one())


async def test_a_sign_in_remakes_a_hash_of_another_work_factor(client: Client) -> None:
    assert work_factor(await stored(client)) == OLD_N
    assert (await attempt(client, "qian.yu", PASSWORD))[0] == 200
    now = await stored(client)
    assert work_factor(now) == SUITE_N and verify_password(PASSWORD, now)
    signed_in = [e for e in await user_audit(client) if e.action == "sign-in"]
    assert [e.data.get("password_rehashed_n") for e in signed_in] == [SUITE_N]
    assert (await attempt(client, "qian.yu", PASSWORD))[0] == 200  # the new hash works
    assert await stored(client) == now  # and is not remade again
    signed_in = [e for e in await user_audit(client) if e.action == "sign-in"]
    assert [e.data.get("password_rehashed_n") for e in signed_in] == [SUITE_N, None]


async def test_a_wrong_password_remakes_nothing(client: Client) -> None:
    before = await stored(client)
    assert (await attempt(client, "qian.yu", "wrong-password"))[0] == 401
    assert await stored(client) == before


async def test_a_password_changed_meanwhile_is_not_overwritten(
    client: Client, clock: ManualClock
) -> None:
    """The new hash is written only over the hash that was checked."""
    store = SqlSignInStore(client.app[ENGINE])
    account = await store.account("qian.yu")
    assert account is not None
    changed = hash_password("changed-password-2", n=SUITE_N)
    async with client.app[ENGINE].begin() as conn:
        query = update(users).where(users.c.username == "qian.yu")
        await conn.execute(query.values(password_hash=changed))
    stamp = Stamp(clock.now(), Editor(Role.AGENT.value, account.user.id, "198.51.100.7"))
    rehash = Rehash(account.password_hash, hash_password(PASSWORD, n=SUITE_N), SUITE_N)
    assert await store.signed_in(account.user, stamp, rehash)
    assert await stored(client) == changed
