"""Random bytes from the operating system, a page at a time.

`os.urandom` (like `secrets`, which calls it) lets other threads run while it asks the
kernel. On a call's hot path (a call's id, a session lock's token) that hands the
interpreter to any busy thread, and the event loop waits up to the switch interval (5 ms)
to get it back: on the embedded defaults the SQLite thread is busy about a third of the
time (issue 17). Here the kernel is asked for a page at a time (once in 409 call ids), and
each caller takes its bytes from the page under a lock. The bytes are the kernel's, as
`os.urandom`'s are; a forked child drops the page it inherited, so that two workers never
hand out the same bytes.
"""

from __future__ import annotations

import os
import threading

PAGE = 4096

_lock = threading.Lock()
_page = b""
_at = 0


def random_bytes(n: int) -> bytes:
    """`n` bytes from the operating system's random source (`n` up to `PAGE`)."""
    global _page, _at
    if not 0 < n <= PAGE:
        raise ValueError(f"random_bytes takes 1 to {PAGE} bytes, not {n}")
    with _lock:
        if _at + n > len(_page):
            _page, _at = os.urandom(PAGE), 0
        taken = _page[_at : _at + n]
        _at += n
        return taken


def _forget() -> None:
    global _page, _at
    _page, _at = b"", 0


os.register_at_fork(after_in_child=_forget)
