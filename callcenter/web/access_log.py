"""An access logger that never writes query strings (they carry phone and account numbers)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class MaskedAccessLogger(AbstractAccessLogger):
    """`METHOD /path STATUS bytes seconds`, without the query string or client headers."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %s %.4fs",
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
        )
