"""Password hashes (scrypt, `scrypt$<salt>$<hash>` in base64), computed in worker threads.

A hash takes tens of milliseconds of CPU; run on the event loop it stalls every request of
the process (`/healthz` included), so `Passwords` runs it in a small pool of its own, which a
flood of sign-ins can fill without starving the loop's default executor.

The work factor N is `[security] password_scrypt_n` (r = 8, p = 1). A hash made with the
default N = 2^14 is written as it always was; with another N, that N is written in it
(`scrypt:<N>$<salt>$<hash>`), so a site can raise the work factor without the hashes stored
before it becoming invalid: each is checked with the N it was made with, and replaced by a
hash with the configured N at the user's next successful sign-in.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

DEFAULT_N = 2**14
MIN_N, MAX_N = 2**10, 2**17  # 1 MiB to 128 MiB of memory a hash (r = 8)
_R, _P = 8, 1
THREADS = 2
_DUMMY_SALT = base64.b64encode(b"callcenter-dummy").decode()


def valid_n(n: int) -> bool:
    """Whether `n` is a work factor hashes may be made or checked with (a power of two)."""
    return MIN_N <= n <= MAX_N and n & (n - 1) == 0


def dummy_hash(n: int = DEFAULT_N) -> str:
    """Checked when a username is unknown, so that it costs the same scrypt work as a known
    one; no password derives an all-zero digest, so it never matches."""
    return f"{_scheme(n)}${_DUMMY_SALT}${'A' * 43}="


def _scheme(n: int) -> str:
    return "scrypt" if n == DEFAULT_N else f"scrypt:{n}"


DUMMY_HASH = dummy_hash()


def _n_of(scheme: str) -> int | None:
    """The work factor a stored hash's scheme names (None: not a hash of ours)."""
    if scheme == "scrypt":
        return DEFAULT_N
    name, _, n = scheme.partition(":")
    if name != "scrypt" or not n.isdigit() or not valid_n(int(n)):
        return None
    return int(n)


def _digest(password: str, salt: bytes, n: int) -> str:
    maxmem = 256 * _R * n  # twice what scrypt needs (hashlib's default allows only N = 2^14)
    raw = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32, maxmem=maxmem)
    return base64.b64encode(raw).decode()


def hash_password(password: str, salt: bytes | None = None, n: int = DEFAULT_N) -> str:
    """`scrypt[:<N>]$<salt>$<hash>` in base64 (blocking: call it from a worker thread)."""
    if not valid_n(n):
        raise ValueError(f"scrypt N must be a power of two from {MIN_N} to {MAX_N}, not {n}")
    salt = salt or secrets.token_bytes(16)
    return f"{_scheme(n)}${base64.b64encode(salt).decode()}${_digest(password, salt, n)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash, checked with the work factor it was
    made with (constant-time compare; blocking)."""
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    n = _n_of(scheme)
    if n is None:
        return False
    expected = _digest(password, base64.b64decode(salt_b64), n)
    return hmac.compare_digest(expected, digest_b64)


def work_factor(stored: str) -> int | None:
    """The scrypt N a stored hash was made with (None: not a hash of ours)."""
    return _n_of(stored.split("$", 1)[0])


class Passwords:
    """Hashes and checks passwords in a bounded pool of worker threads."""

    def __init__(self, threads: int = THREADS, n: int = DEFAULT_N) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="passwords")
        self._n = n
        self.dummy = dummy_hash(n)  # what an unknown username is checked against

    async def hash(self, password: str) -> str:
        """A new salted hash of `password`, with the configured work factor."""
        make = partial(hash_password, password, None, self._n)
        return await asyncio.get_running_loop().run_in_executor(self._pool, make)

    def outdated(self, stored: str) -> bool:
        """Whether `stored` was made with another work factor than the configured one: the
        next successful sign-in stores a new hash of the password (a site that raises N
        does not keep its old hashes at the old cost)."""
        return work_factor(stored) not in (None, self._n)

    @property
    def n(self) -> int:
        """The configured work factor."""
        return self._n

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
