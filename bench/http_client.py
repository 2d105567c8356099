"""A lean HTTP/1.1 client for the load generator: one keep-alive connection per simulated
caller, a request written in one go, the response's head read in one go.

The generator shares the machine's two cores with the servers it measures; aiohttp's client
took about a quarter of all the CPU a step cost (0.23 ms of 0.95: server, PostgreSQL, Redis
and generator together), which the servers then did not get. Only what the bench needs:
POST of a form, a body by Content-Length or chunked, and a connection the server closes
(gunicorn's sync workers close after each response) opened again for the next request.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit

HEAD_END = b"\r\n\r\n"
TIMEOUT_SECONDS = 30.0  # a server that stops answering fails the post (TimeoutError is an OSError)


class HttpError(Exception):
    """The server could not be reached, or answered what is not HTTP/1.x."""


class Connection:
    """One caller's connection to one server (`host:port`), opened when first needed."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._to: tuple[str, int] | None = None

    async def post(
        self, url: str, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, str]:
        """POST `form` (urlencoded) to `url`: the status and the body as text."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        body = urlencode(form).encode()
        lines = [
            f"POST {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                reader, writer = await self._open(host, port)
                writer.write(request)
                return await self._response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as err:
            self.close()
            raise HttpError(str(err)) from err

    async def _open(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._writer is None or self._reader is None or self._to != (host, port):
            self.close()
            self._reader, self._writer = await asyncio.open_connection(host, port)
            self._to = (host, port)
        return self._reader, self._writer

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, str]:
        head = (await reader.readuntil(HEAD_END)).decode("latin-1").split("\r\n")
        version, status = head[0].split(" ", 2)[:2]
        if not version.startswith("HTTP/1."):
            raise ValueError(f"not an HTTP/1.x response: {head[0]!r}")
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
        if fields.get("transfer-encoding") == "chunked":
            body = await _chunked(reader)
        else:
            body = await reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection") == "close" or version == "HTTP/1.0":
            self.close()
        return int(status), body.decode()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from these servers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
