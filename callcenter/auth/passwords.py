"""Password hashes (scrypt, `scrypt$<salt>$<hash>` in base64), computed in worker threads.

A hash takes tens of milliseconds of CPU; run on the event loop it stalls every request of
the process (`/healthz` included), so `Passwords` runs it in a small pool of its own, which a
flood of sign-ins can fill without starving the loop's default executor.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
THREADS = 2

# Checked when a username is unknown, so that it costs the same scrypt work as a known one;
# no password derives an all-zero digest, so it never matches.
DUMMY_HASH = "scrypt$" + base64.b64encode(b"callcenter-dummy").decode() + "$" + "A" * 43 + "="


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$<salt>$<hash>` in base64 (blocking: call it from a worker thread)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time compare; blocking)."""
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, base64.b64decode(salt_b64)).split("$")[2]
    return hmac.compare_digest(expected, digest_b64)


class Passwords:
    """Hashes and checks passwords in a bounded pool of worker threads."""

    def __init__(self, threads: int = THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="passwords")

    async def hash(self, password: str) -> str:
        """A new salted hash of `password`."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, hash_password, password)

    async def verify(self, password: str, stored: str) -> bool:
        """Whether `password` matches `stored`."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, verify_password, password, stored
        )

    def close(self) -> None:
        """Let the threads end once their current hash is done (never blocks the loop)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def running(self, _app: object) -> AsyncIterator[None]:
        """A cleanup context: the pool is shut down with the app."""
        try:
            yield
        finally:
            self.close()
