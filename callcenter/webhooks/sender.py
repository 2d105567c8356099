"""`AiohttpSender`: one POST per try, with a timeout, redirects not followed."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from callcenter.webhooks.models import SendResult

MAX_ERROR = 500


class AiohttpSender:
    """Implements `Sender` on an aiohttp client session opened by `open` and closed by
    `close` (inside the running loop)."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        """Open the client session."""
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        """Close the client session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        """The receiver's status code, or the network error or timeout."""
        if self._session is None:
            raise RuntimeError("AiohttpSender.post before open")
        started = time.monotonic()
        try:
            async with self._session.post(
                url, data=body.encode(), headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                return SendResult(response.status, None, _ms(started))
        except TimeoutError:
            return SendResult(None, "timeout", _ms(started))
        except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError, ValueError) as err:
            text = f"{type(err).__name__}: {err}"[:MAX_ERROR]
            return SendResult(None, text, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
