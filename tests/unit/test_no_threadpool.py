"""No request crosses into a threadpool: FastAPI runs every plain `def` endpoint and `def` dependency in
its threadpool, a hop per call that costs more than a whole indexed read. Every endpoint and every
dependency of every route must be `async def`."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi.dependencies.models import Dependant

from api.app import create_app
from api.authz import mounted_routes
from tests.conftest import make_settings


def _is_async(call: Any) -> bool:
    method = getattr(call, "__call__", None)  # noqa: B004 - class instances used as dependencies
    return any(
        check(candidate)
        for candidate in (call, method)
        for check in (inspect.iscoroutinefunction, inspect.isasyncgenfunction)
    )


def _sync_calls(dependant: Dependant) -> list[str]:
    found = []
    for sub in dependant.dependencies:
        if sub.call is not None and not _is_async(sub.call):
            found.append(getattr(sub.call, "__qualname__", repr(sub.call)))
        found += _sync_calls(sub)
    return found


def test_every_endpoint_and_dependency_is_async() -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    routes = mounted_routes(app)
    assert len(routes) > 100
    offenders = {}
    for mounted in routes:
        dependant = mounted.route.dependant
        calls = _sync_calls(dependant)
        if dependant.call is not None and not _is_async(dependant.call):
            calls.append(f"endpoint {dependant.call.__qualname__}")
        if calls:
            offenders[f"{sorted(mounted.route.methods)} {mounted.path}"] = sorted(set(calls))
    assert offenders == {}
