"""RFC 9457 problem details: the one place that turns every error into application/problem+json."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from domain import errors
from persistence.db import database_unavailable, transaction_conflict

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("koppelwerk.errors")


class InvalidParam(BaseModel):
    name: str = Field(description="The offending field: a body path such as `address.postcode`, or a query key.")
    code: str = Field(description="Machine-readable reason, e.g. `missing`, `pattern`, `extra_forbidden`.")
    reason: str = Field(description="Human-readable reason.")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(default="about:blank", description="URI identifying the problem type.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    invalidParams: list[InvalidParam] | None = None  # noqa: N815 - the ADR name


class BodyTooLarge(StarletteHTTPException):
    """The request body exceeded the configured maximum.

    An HTTPException on purpose: FastAPI's body reader re-raises HTTPExceptions but turns any other
    error raised while reading into a 400 "There was an error parsing the body", which is what a
    chunked (no Content-Length) oversized body used to get instead of a 413.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


class DatabaseUnavailable(Exception):
    """The database could not be reached in time."""


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    instance: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Build the problem+json response; `code` becomes the problem type URN."""
    body: dict[str, Any] = {
        "type": f"urn:koppelwerk:problem:{code}" if code else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    if extra:
        body.update(extra)
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _param_name(loc: tuple[Any, ...]) -> str:
    # ("body", "address", "postcode") -> "address.postcode"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in {"body", "query", "path", "header", "cookie"} else [
        str(p) for p in loc
    ]
    return ".".join(parts) or (str(loc[0]) if loc else "body")


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    params = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        kind = error.get("type", "invalid")
        name = "body" if kind == "json_invalid" else _param_name(loc)
        params.append({"name": name, "code": kind, "reason": error.get("msg", "invalid")})
    return problem_response(
        400,
        "the request has invalid or missing fields; see invalidParams",
        code="invalid_input",
        instance=request.url.path,
        invalid_params=params,
    )


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no resource at this path"
    elif exc.status_code == 405:
        detail = "this method is not allowed on this resource"
    return problem_response(exc.status_code, detail, instance=request.url.path, headers=exc.headers)


_DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.PreconditionRequired: 428,
    errors.AuthenticationFailed: 401,
    errors.TooManyAttempts: 429,
    errors.InvalidInput: 400,
}


def domain_status(exc: errors.DomainError) -> int:
    """The HTTP status a domain error maps to."""
    return next((s for cls, s in _DOMAIN_STATUS.items() if isinstance(exc, cls)), 400)


def problem_of(exc: errors.DomainError, instance: str | None = None) -> Problem:
    """The problem detail of a domain error, for a response that reports several (a batch's items)."""
    status = domain_status(exc)
    params = [InvalidParam(name=p.name, code=p.code, reason=p.reason) for p in getattr(exc, "params", [])]
    return Problem(
        type=f"urn:koppelwerk:problem:{exc.code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=exc.detail,
        instance=instance,
        invalidParams=params or None,
    )


def invalid_input_of(error: ValidationError, prefix: str = "") -> errors.InvalidInput:
    """A pydantic validation error as the domain's InvalidInput, naming each field as the 400s do."""
    params = [
        errors.InvalidParam(
            name=prefix + (".".join(str(p) for p in e.get("loc", ())) or "body"),
            reason=e.get("msg", "invalid"),
            code=e.get("type", "invalid"),
        )
        for e in error.errors()
    ]
    return errors.InvalidInput("the item has invalid or missing fields; see invalidParams", params)


async def _domain(request: Request, exc: errors.DomainError) -> Response:
    status = domain_status(exc)
    headers: dict[str, str] = {}
    invalid_params = None
    if isinstance(exc, errors.AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    if isinstance(exc, errors.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, errors.InvalidInput):
        invalid_params = [{"name": p.name, "code": p.code, "reason": p.reason} for p in exc.params]
    return problem_response(
        status,
        exc.detail,
        code=exc.code,
        instance=request.url.path,
        invalid_params=invalid_params,
        headers=headers or None,
    )


def _unavailable(request: Request, reason: str) -> Response:
    log.warning("database unavailable", extra={"reason": reason, "path": request.url.path})
    return problem_response(
        503,
        "the service cannot reach its database right now; try again shortly",
        code="database_unavailable",
        instance=request.url.path,
        headers={"Retry-After": "5"},
    )


async def _database(request: Request, exc: Exception) -> Response:
    if isinstance(exc, sa_exc.IntegrityError):
        # A concurrent writer won a uniqueness race the use case had checked for.
        return problem_response(
            409, "the change conflicts with existing data", code="conflict", instance=request.url.path
        )
    if transaction_conflict(exc):
        log.warning("transaction given up for a concurrent one", extra={"path": request.url.path})
        return problem_response(
            409, "the change met a concurrent change to the same data and was not made; send it again",
            code="concurrent_change", instance=request.url.path,
        )
    if isinstance(exc, DatabaseUnavailable) or database_unavailable(exc):
        return _unavailable(request, type(exc).__name__)
    return await _unexpected(request, exc)


async def _body_too_large(request: Request, exc: BodyTooLarge) -> Response:
    return problem_response(413, exc.detail, code="body_too_large", instance=request.url.path)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # This handler runs in ServerErrorMiddleware, after HttpEnvelope has reset the request-id
    # context, so the id is passed explicitly (it is what the client saw in X-Request-ID).
    extra = {"path": request.url.path}
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        extra["requestId"] = request_id
    log.error("unexpected error", exc_info=exc, extra=extra)
    return problem_response(500, "an unexpected error occurred; it has been logged", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Register every mapping on the app."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(errors.DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(BodyTooLarge, _body_too_large)  # type: ignore[arg-type]
    # OSError covers the driver's bare socket errors and timeouts, asyncpg's own errors those raised
    # bare on the driver pool's connections; _database tells them from others.
    driver_errors = (asyncpg.PostgresError, asyncpg.InterfaceError)
    for db_error in (sa_exc.DBAPIError, sa_exc.TimeoutError, DatabaseUnavailable, OSError, *driver_errors):
        app.add_exception_handler(db_error, _database)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses, all with the Problem schema."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
