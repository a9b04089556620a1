"""The OpenAPI document, shaped for the NL API Design Rules and exported to openapi/openapi.json.

FastAPI's generated document is post-processed in one place: paths relative to the `/api/v1`
server, every error response as application/problem+json, the API-Version header on every
success, the roles that may call each operation, and no bare 422 (validation is a 400 here).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.authz import PUBLIC, mounted_routes, route_roles
from api.dependencies import IF_MATCH_PATTERN
from api.problems import PROBLEM_MEDIA_TYPE, Problem
from api.settings import API_VERSION

API_PREFIX = "/api/v1"
EXPORT_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"

DESCRIPTION = """\
Backend of the Koppelwerk method: a wijkagent and an opbouwwerker (later with a wijkbeheerder)
working side by side in a neighbourhood. Staff authenticate with `POST /auth/token`
(grant_type=password), police and housing systems with grant_type=client_credentials; send the
token as `Authorization: Bearer …`. Errors are RFC 9457 problem details. Updates need `If-Match`
with the resource's ETag. Lists are cursor-paginated (`limit`, `cursor`, `Link: rel="next"`).
"""

API_VERSION_HEADER = {
    "description": "The full version of this API.",
    "schema": {"type": "string", "example": API_VERSION},
}
STANDARD_ERRORS = {
    400: "Bad Request: invalid input, see invalidParams",
    401: "Unauthorized: missing, invalid or expired token",
    403: "Forbidden: your role may not do this",
    404: "Not Found: no such resource in your scope",
    500: "Internal Server Error",
    503: "Service Unavailable: the database cannot be reached",
}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def _rename_generic_schemas(schema: dict[str, Any]) -> None:
    """`PageOf_UserRead_` -> `UserReadPage`: schema names in UpperCamelCase, as the ADR asks."""
    components = schema["components"]["schemas"]
    renames = {
        name: name.removeprefix("PageOf_").removesuffix("_") + "Page"
        for name in list(components)
        if name.startswith("PageOf_")
    }
    if not renames:
        return
    for old, new in renames.items():
        components[new] = components.pop(old)
        components[new]["title"] = new
    text = orjson.dumps(schema).decode()
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    schema.clear()
    schema.update(orjson.loads(text))


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The full document for the `/api/v1` routes."""
    routes = mounted_routes(app, API_PREFIX)
    schema = get_openapi(
        title="Koppelwerk API",
        version=API_VERSION,
        description=DESCRIPTION,
        routes=app.routes,
        contact={"name": "Koppelwerk API team", "email": "api@koppelwerk.nl", "url": "https://koppelwerk.nl"},
        servers=[{"url": API_PREFIX, "description": "This service"}],
    )
    schema["paths"] = {
        path.removeprefix(API_PREFIX) or "/": item
        for path, item in schema["paths"].items()
        if path.startswith(API_PREFIX)
    }
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    _rename_generic_schemas(schema)

    roles_by_operation = {m.operation_id or m.route.name: route_roles(m.route) for m in routes}
    for _path, _method, operation in _operations(schema):
        responses = operation.setdefault("responses", {})
        responses.pop("422", None)
        for parameter in operation.get("parameters", []):
            # Declared optional in code so a missing header is a 428 rather than a 400, but an
            # integrator must always send it: document it as required.
            if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                parameter["required"] = True
                parameter["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN, "title": "If-Match"}
        roles = roles_by_operation.get(operation.get("operationId", ""))
        for status, description in STANDARD_ERRORS.items():
            if roles is PUBLIC and status in (401, 403):
                continue
            responses.setdefault(str(status), {"description": description})
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            elif status.startswith(("2", "3")):
                response.setdefault("headers", {})["API-Version"] = copy.deepcopy(API_VERSION_HEADER)
        if roles is PUBLIC:
            operation["security"] = []
            operation["x-roles"] = []
        elif roles is not None:
            operation["x-roles"] = sorted(roles)
            operation["description"] = (
                operation.get("description", "") + f"\n\nRoles: {', '.join(sorted(roles))}."
            ).strip()
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the post-processed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(schema: dict[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, two-space indent, trailing newline."""
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
