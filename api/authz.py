"""Reading the declared access rule of a route: its RoleRequirement, or the explicit PUBLIC marker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.dependencies import RoleRequirement


class _Public:
    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC: Final = _Public()

# Operations anyone may call without a token. Everything else must declare its roles.
# getPublicWijkPresence: residents must find their koppel ("makkelijk benaderbaar"); its response
# model carries professionals' names, times and places only. listOpen311Services: the GeoReport v2
# service list (our signal categories), public as the spec has it.
PUBLIC_OPERATIONS: Final = frozenset(
    {"getLiveness", "getReadiness", "createToken", "getPublicWijkPresence", "listOpen311Services"}
)


def _requirements(dependant: Dependant) -> list[frozenset[Any]]:
    found = []
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, RoleRequirement):
            found.append(dependency.call.roles)
        found.extend(_requirements(dependency))
    return found


def route_roles(route: APIRoute) -> frozenset[Any] | _Public | None:
    """The roles allowed on `route`, PUBLIC for the declared public operations, None when undeclared."""
    if route.operation_id in PUBLIC_OPERATIONS:
        return PUBLIC
    requirements = _requirements(route.dependant)
    if not requirements:
        return None
    allowed = requirements[0]
    for extra in requirements[1:]:
        allowed = allowed & extra
    return allowed


@dataclass(frozen=True)
class MountedRoute:
    """An API route with the full path it answers on (router prefixes included)."""

    path: str
    route: APIRoute

    @property
    def operation_id(self) -> str | None:
        return self.route.operation_id

    @property
    def method(self) -> str:
        return sorted(self.route.methods - {"HEAD", "OPTIONS"})[0]


def mounted_routes(app: FastAPI, prefix: str = "/api/v1") -> list[MountedRoute]:
    """Every APIRoute under `prefix`. Recent FastAPI keeps included routers as lazy entries
    that expose `effective_route_contexts()`; older versions copy the routes into `app.routes`."""
    found: list[MountedRoute] = []
    for entry in app.routes:
        if hasattr(entry, "effective_route_contexts"):
            for context in entry.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    found.append(MountedRoute(context.path, context.original_route))
        elif isinstance(entry, APIRoute):
            found.append(MountedRoute(entry.path, entry))
    return [m for m in found if m.path.startswith(prefix)]
