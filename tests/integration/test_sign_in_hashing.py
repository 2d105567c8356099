"""Password hashing at sign-in (issue 18): an unknown username costs the same scrypt work
as a known one, the hash runs off the event loop's thread, and `/healthz` answers while
sign-ins are hashing."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable

import pytest
from aiohttp import ClientResponse

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.web.keys import AUTH
from tests.integration.admin_helpers import eventually
from tests.integration.sign_in_helpers import (
    LOGIN,
    PASSWORD,
    Client,
    MakeClient,
    attempt,
    limited_client,
)

SIGN_INS = 20


class ScryptSpy:
    """Stands in for `hashlib.scrypt`: records the thread of each call, and holds calls
    made off the loop's thread until `release`."""

    def __init__(self, real: Callable[..., bytes], hold: bool) -> None:
        self._real = real
        self._loop_thread = threading.get_ident()
        self._gate = threading.Event()
        if not hold:
            self._gate.set()
        self.threads: list[int] = []

    def __call__(self, *args: object, **kwargs: object) -> bytes:
        self.threads.append(threading.get_ident())
        if threading.get_ident() != self._loop_thread:  # never stall the loop
            self._gate.wait(timeout=60)
        return self._real(*args, **kwargs)

    def release(self) -> None:
        """Let held calls run."""
        self._gate.set()

    def on_loop(self) -> bool:
        """Whether a call ran on the loop's thread."""
        return self._loop_thread in self.threads


def spy(monkeypatch: pytest.MonkeyPatch, hold: bool = False) -> ScryptSpy:
    spied = ScryptSpy(hashlib.scrypt, hold)
    monkeypatch.setattr(hashlib, "scrypt", spied)
    return spied


@pytest.fixture
async def client(aiohttp_client: MakeClient, stores: tuple[str, str], clock: ManualClock) -> Client:
    client = await limited_client(aiohttp_client, stores, clock)
    await client.app[AUTH].add_user("qian.yu", Role.AGENT, PASSWORD)
    return client


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("nobody.here", PASSWORD, 401),
        ("qian.yu", "wrong-password", 401),
        ("qian.yu", PASSWORD, 200),
    ],
)
async def test_every_sign_in_does_the_scrypt_work_off_the_loop(
    client: Client, monkeypatch: pytest.MonkeyPatch, username: str, password: str, status: int
) -> None:
    spied = spy(monkeypatch)
    assert (await attempt(client, username, password))[0] == status
    assert len(spied.threads) == 1 and not spied.on_loop()


async def test_healthz_answers_while_sign_ins_hash(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(SIGN_INS):
        await client.app[AUTH].add_user(f"agent{n}", Role.AGENT, PASSWORD)
    spied = spy(monkeypatch, hold=True)

    async def sign_in(n: int) -> ClientResponse:
        return await client.post(LOGIN, json={"username": f"agent{n}", "password": "pw-guess"})

    flood = [asyncio.create_task(sign_in(n)) for n in range(SIGN_INS)]
    try:
        assert await eventually(lambda: asyncio.sleep(0, len(spied.threads) >= 2))
        health = await client.get("/healthz")
        assert health.status == 200
        assert not any(task.done() for task in flood)
        assert len(spied.threads) == 2  # a pool of two threads; the rest wait their turn
    finally:
        spied.release()
    answers = await asyncio.gather(*flood)
    assert [a.status for a in answers] == [401] * SIGN_INS
    assert len(spied.threads) == SIGN_INS and not spied.on_loop()
