"""The OpenAPI 3.1 document, built from the routes and the specs their handlers declare.

Request bodies and query strings are documented as they are validated, responses as they are
serialised (pydantic's two modes differ for decimals, dates and defaults); every operation
documents its error responses, with the one error schema.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from callcenter import __version__
from callcenter.core.api import EndpointSpec, spec_of
from callcenter.httpkit import INT64_MAX
from callcenter.tickets.calendar_service import FIRST_YEAR, LAST_YEAR
from callcenter.web.middleware import PUBLIC_API_PATHS

_PARAM = re.compile(r"\{(\w+)\}")
REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/responses/Error"}
# path parameters by name: the numeric ids that handlers read with `path_int`, the ids that
# `new_id` makes; any other is a short text (a queue's name, a phone number, a Twilio sid)
_NUMBER = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}
_NEW_ID = {"type": "string", "pattern": "^[0-9a-hjkmnp-tv-z]{26}$"}
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "account_id": _NUMBER,
    "agent_id": _NUMBER,
    "campaign_id": _NUMBER,
    "outage_id": _NUMBER,
    "suspension_id": _NUMBER,
    "ticket_id": _NUMBER,
    "token_id": _NUMBER,
    "user_id": _NUMBER,
    "webhook_id": _NUMBER,
    "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
    "call_id": _NEW_ID,
    "delivery_id": _NEW_ID,
    "call_sid": {"type": "string", "pattern": "^CA[0-9a-fA-F]{32}$"},
}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}

Documented = list[tuple[web.AbstractRoute, str, EndpointSpec]]


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }


def _documented(app: web.Application) -> Documented:
    found = []
    for route in app.router.routes():
        spec = spec_of(route.handler)
        if route.method != "HEAD" and spec is not None and route.resource is not None:
            found.append((route, route.resource.canonical, spec))
    return found


def _schemas(documented: Documented) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    """Every model once per mode: (refs by (model, mode), the component schemas)."""
    pairs: set[tuple[type[BaseModel], JsonSchemaMode]] = set()
    for _, _, spec in documented:
        pairs.update((m, "validation") for m in (spec.body, spec.query) if m is not None)
        if spec.response is not None:
            pairs.add((spec.response, "serialization"))
    ordered = sorted(pairs, key=lambda p: (p[0].__module__, p[0].__qualname__, p[1]))
    refs, top = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    return dict(refs), top.get("$defs", {}) | {"Error": _error_schema()}


def _parameters(path: str, spec: EndpointSpec, refs: Any, components: Any) -> list[Any]:
    params = [
        {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(n, _TEXT)}
        for n in _PARAM.findall(path)
    ]
    if spec.query is not None:
        schema = components[refs[spec.query, "validation"]["$ref"].rsplit("/", 1)[1]]
        required = set(schema.get("required", []))
        params += [
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()
        ]
    return params


def _responses(method: str, path: str, spec: EndpointSpec, refs: Any) -> dict[str, Any]:
    """Success (POST: 201 when it made something, 200 otherwise), then the errors."""
    schema = refs[spec.response, "serialization"] if spec.response else {}
    types = [t.strip() for t in spec.content_type.split(",")]  # a download may offer several
    body = {"content": {t: {"schema": schema} for t in types}}
    statuses = spec.statuses or ((200, 201) if method == "POST" else (200,))
    responses: dict[str, Any] = {
        str(s): ({"description": "success"} | (body if s != 204 else {})) for s in statuses
    }
    responses["400"] = ERROR_REF  # a query or path parameter no store can hold, at least
    if path not in PUBLIC_API_PATHS:
        responses |= {"401": ERROR_REF, "403": ERROR_REF}
    if _PARAM.search(path):
        responses["404"] = ERROR_REF
    if spec.body is not None:
        responses["413"] = ERROR_REF
    responses["4XX"] = {
        "description": "error codes: " + ", ".join(spec.errors or ("invalid-query",)),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return responses


def _operation(
    route: web.AbstractRoute, path: str, spec: EndpointSpec, refs: Any, components: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{route.method.lower()}_{route.handler.__name__}",
        "tags": [spec.tag],
        "x-roles": sorted(r.value for r in spec.roles),
        "parameters": _parameters(path, spec, refs, components),
        "responses": _responses(route.method, path, spec, refs),
    }
    if path in PUBLIC_API_PATHS:
        operation["security"] = []
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[spec.body, "validation"]}},
        }
    return operation


def build_document(app: web.Application) -> dict[str, Any]:
    """Every documented route of `app`, with its schemas."""
    documented = _documented(app)
    refs, components = _schemas(documented)
    paths: dict[str, dict[str, Any]] = {}
    for route, path, spec in documented:
        operation = _operation(route, path, spec, refs, components)
        paths.setdefault(path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "callcenter API", "version": __version__},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
        },
        "security": [{"bearer": []}],
    }


def setup(app: web.Application) -> None:
    """Serve the document at `/api/openapi.json` (built once, after all routes exist)."""
    cache: dict[str, Any] = {}

    async def openapi(request: web.Request) -> web.Response:
        if not cache:
            cache.update(build_document(request.app))
        return web.json_response(cache)

    app.router.add_get("/api/openapi.json", openapi)
