"""Reading the declared access rule of a route: its RoleRequirement, or the explicit PUBLIC marker."""

from __future__ import annotations

from typing import Any, Final

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.dependencies import RoleRequirement


class _Public:
    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC: Final = _Public()

# Operations anyone may call without a token. Everything else must declare its roles.
PUBLIC_OPERATIONS: Final = frozenset({"getLiveness", "getReadiness", "createToken"})


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
