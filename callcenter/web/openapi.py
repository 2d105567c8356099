"""The OpenAPI 3.1 document, built from the routes and the specs their handlers declare."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from callcenter import __version__
from callcenter.core.api import spec_of

_PARAM = re.compile(r"\{(\w+)\}")
REF_TEMPLATE = "#/components/schemas/{model}"


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


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="serialization")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(route: web.AbstractRoute, components: dict[str, Any]) -> dict[str, Any] | None:
    spec = spec_of(route.handler)
    if spec is None:
        return None
    path = route.resource.canonical if route.resource else ""
    params = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
        for n in _PARAM.findall(path)
    ]
    if spec.query is not None:
        params += _query_parameters(spec.query)
    ok = "201" if route.method == "POST" else "200"
    responses: dict[str, Any] = {
        ok: {
            "description": "success",
            "content": {
                "application/json": {
                    "schema": _schema_ref(spec.response, components) if spec.response else {}
                }
            },
        },
        "401": {"$ref": "#/components/responses/Error"},
        "403": {"$ref": "#/components/responses/Error"},
    }
    if spec.errors:
        responses["4XX"] = {
            "description": "error codes: " + ", ".join(spec.errors),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{route.method.lower()}_{route.handler.__name__}",
        "tags": [spec.tag],
        "x-roles": sorted(r.value for r in spec.roles),
        "parameters": params,
        "responses": responses,
    }
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(spec.body, components)}},
        }
    return operation


def build_document(app: web.Application) -> dict[str, Any]:
    """Every documented route of `app`, with its schemas."""
    components: dict[str, Any] = {"Error": _error_schema()}
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        operation = _operation(route, components)
        if operation is not None and route.resource is not None:
            paths.setdefault(route.resource.canonical, {})[route.method.lower()] = operation
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
