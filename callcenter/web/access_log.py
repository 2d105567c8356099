"""An access logger that never writes query strings (they carry phone and account numbers)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from callcenter.httpkit import client_address


class MaskedAccessLogger(AbstractAccessLogger):
    """`METHOD /path STATUS bytes seconds`, without the query string, the body or client
    headers; the same as extra fields, with the client's address. The log formatter masks
    numbers in the path and escapes its control characters (`callcenter.logs`)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "bytes": response.body_length,
            "seconds": round(time, 4),
            "address": client_address(request) if isinstance(request, web.Request) else None,
        }
        self.logger.info(
            "%s %s %s %s %.4fs",
            request.method,
            request.path,
            response.status,
            response.body_length,
            time,
            extra=fields,
        )
