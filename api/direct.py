"""DirectRoute: a FastAPI route whose dependencies are solved by a plan made once, at start-up.

FastAPI solves a route's dependencies afresh on every request: it walks the dependency tree, builds a
cache key per dependency, checks each callable's kind and scope, and collects every parameter into
dictionaries of values and errors. For GET /residents/{id} that walk cost about a quarter of the
worker's CPU, more than the statement that reads the resident, audits the read and checks the caller.

A DirectRoute is declared exactly like any other route: its signature makes the OpenAPI document, its
role requirements are the ones the authorization-matrix test reads, and FastAPI still routes to it.
What changes is the per-request work. At start-up the route's dependency tree is flattened into a
list of steps in the order FastAPI would solve it (depth first, in declaration order, each dependency
once per request as with FastAPI's cache); per request the steps run one after another.

Only the common case takes the plan. Every parameter (path, query, header) is read and validated
before any dependency runs; when one is missing, malformed or out of range, nothing has happened yet
and the request is handed to FastAPI's own handler, so a 400 reads exactly as on every other route.
Routes the plan cannot serve (a body, a `Response` parameter to fill in, an endpoint that returns a
model for FastAPI to serialize, a `yield` dependency) keep FastAPI's handler; `planned` tells which.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import field_annotation_is_sequence, get_typed_return_annotation
from fastapi.routing import APIRoute
from starlette.datastructures import Headers, QueryParams


class _Unplanned(Exception):
    """The request is not the common case: FastAPI's handler answers it."""


class _CannotPlan(Exception):
    """The route has something the plan does not do; it keeps FastAPI's handler."""


Parameter = Callable[[Request], Any]


def _parameter(field: Any, source: Callable[[Request], Any], name: str) -> Parameter:
    """Read one parameter from `source` under `name` and validate it with its own field, as FastAPI
    does: the declared type and constraints."""
    if field_annotation_is_sequence(field.field_info.annotation):
        raise _CannotPlan("a parameter that repeats")

    def read(request: Request) -> Any:
        raw = source(request).get(name)
        if raw is None:
            if field.field_info.is_required():
                raise _Unplanned
            return field.get_default()
        value, errors = field.validate(raw)
        if errors:
            raise _Unplanned
        return value

    return read


def _path(request: Request) -> dict[str, Any]:
    return request.path_params  # type: ignore[no-any-return]


def _query(request: Request) -> QueryParams:
    return request.query_params


def _headers(request: Request) -> Headers:
    return request.headers


@dataclass(frozen=True)
class _Step:
    """Call `call` with the request, the parameters read for it, and the values of earlier steps."""

    call: Callable[..., Awaitable[Any]]
    request_names: tuple[str, ...]
    parameters: tuple[tuple[str, int], ...]  # argument name → index in the request's parameter values
    earlier: tuple[tuple[str, int], ...]  # argument name → index of an earlier step


class _Plan:
    def __init__(self, dependant: Dependant) -> None:
        self.reads: list[Parameter] = []
        self.steps: list[_Step] = []
        self._done: dict[Any, int] = {}
        self.endpoint = self._step_of(dependant)

    def _step_of(self, dependant: Dependant) -> _Step:
        if dependant.body_params or dependant.cookie_params:
            raise _CannotPlan("a body or cookie parameter")
        if (
            dependant.response_param_name
            or dependant.background_tasks_param_name
            or dependant.websocket_param_name
            or dependant.security_scopes_param_name
        ):
            raise _CannotPlan("a parameter FastAPI fills in itself")
        call = dependant.call
        if call is None or not _is_coroutine_function(call):
            raise _CannotPlan("a dependency that is not a coroutine function (sync, or with yield)")
        earlier = []
        for sub in dependant.dependencies:
            if not sub.use_cache or sub.call not in self._done:
                self.steps.append(self._step_of(sub))
                self._done[sub.call] = len(self.steps) - 1
            earlier.append((sub.name or "", self._done[sub.call]))
        parameters = []
        for fields, source in (
            (dependant.path_params, _path),
            (dependant.query_params, _query),
            (dependant.header_params, _headers),
        ):
            for field in fields:
                name = field.alias
                if source is _headers and name == field.name and getattr(field.field_info, "convert_underscores", True):
                    name = name.replace("_", "-")  # FastAPI reads `if_none_match` as If-None-Match
                self.reads.append(_parameter(field, source, name))
                parameters.append((field.name, len(self.reads) - 1))
        # A Request is an HTTPConnection: both kinds of parameter get the request (HTTPBearer asks for
        # the latter).
        request_names = tuple(n for n in (dependant.request_param_name, dependant.http_connection_param_name) if n)
        return _Step(call, request_names, tuple(parameters), tuple(earlier))

    async def run(self, request: Request) -> Any:
        values = [read(request) for read in self.reads]  # may raise _Unplanned: nothing has run yet
        results: list[Any] = []
        for step in self.steps:
            results.append(await step.call(**self._arguments(step, request, values, results)))
        endpoint = self.endpoint
        return await endpoint.call(**self._arguments(endpoint, request, values, results))

    @staticmethod
    def _arguments(step: _Step, request: Request, values: list[Any], results: list[Any]) -> dict[str, Any]:
        arguments = {name: values[index] for name, index in step.parameters}
        for name, index in step.earlier:
            arguments[name] = results[index]
        for name in step.request_names:
            arguments[name] = request
        return arguments


def _is_coroutine_function(call: Any) -> bool:
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    dunder = getattr(call, "__call__", None)  # noqa: B004 - instances with an async __call__
    return inspect.iscoroutinefunction(dunder)


class DirectRoute(APIRoute):
    """See the module: FastAPI's declaration and errors, a start-up plan for the common request."""

    planned: bool = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        standard = super().get_route_handler()
        try:
            if get_typed_return_annotation(self.endpoint) is not Response:
                raise _CannotPlan("the endpoint does not return a Response of its own")
            plan = _Plan(self._effective_dependant())
        except _CannotPlan:
            return standard
        self.planned = True

        async def handler(request: Request) -> Response:
            try:
                return await plan.run(request)  # type: ignore[no-any-return]
            except _Unplanned:
                return await standard(request)

        return handler

    def _effective_dependant(self) -> Dependant:
        """The dependant FastAPI's own handler is built from: an included router's route is built
        once per inclusion, with that inclusion's dependencies and path (as in APIRoute)."""
        current = getattr(fastapi_routing, "_effective_route_context_var", None)
        context = current.get() if current is not None else None
        if context is not None and getattr(context, "original_route", None) is self:
            return context.dependant  # type: ignore[no-any-return]
        return self.dependant
