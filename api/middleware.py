"""One pure-ASGI envelope around every request: request id, standard headers, body limit,
access log and metrics. Pure ASGI (not BaseHTTPMiddleware) keeps it off the hot path's costs."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uuid_utils.compat import uuid7

from api.logs import REQUEST_ID
from api.problems import BodyTooLarge, problem_response
from api.settings import API_VERSION
from persistence.db import DRIVER_LEASE

REQUEST_ID_HEADER = "x-request-id"
# Where api.dependencies.get_uow leaves the request's database sessions for close_sessions.
SESSIONS = "koppelwerk.sessions"
# The route template of a request answered before FastAPI's routing (api.hot_reads), for metrics and logs.
ROUTE_TEMPLATE = "koppelwerk.route"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"

REQUESTS = Counter("koppelwerk_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "koppelwerk_http_request_duration_seconds",
    "HTTP request duration",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

access_log = logging.getLogger("koppelwerk.access")


def _route_template(scope: Scope) -> str:
    answered_early = scope.get(ROUTE_TEMPLATE)
    if answered_early is not None:
        return str(answered_early)
    # Recent FastAPI keeps included routers lazy: `scope["route"].path` is then relative to the
    # include prefix ("/users" for /api/v1/users), so metrics and logs lost the /api/v1 part. The
    # effective route context carries the full template; fall back to the route for older versions.
    fastapi_scope = scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    path = getattr(context, "path", None)
    if isinstance(path, str) and path:
        return path
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class HttpEnvelope:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        # Time-ordered like the audit trail's ids, which index it (ix_audit_event_request_id).
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid7().hex
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["API-Version"] = API_VERSION
                out["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if not scope["path"].endswith("/docs"):
                    out.setdefault("Content-Security-Policy", API_CSP)
                # Personal data must never sit in a shared or browser cache; routes that serve
                # public data (presence) set their own Cache-Control.
                out.setdefault("Cache-Control", "no-store")
            await send(message)

        try:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                response = problem_response(
                    413,
                    f"the request body exceeds {self.max_body_bytes} bytes",
                    code="body_too_large",
                    instance=scope["path"],
                )
                await response(scope, receive, send_with_headers)
                return
            try:
                await self.app(scope, self._limited(receive), send_with_headers)
            except Exception:
                # Starlette renders unhandled errors in ServerErrorMiddleware, which sits *outside*
                # every added middleware: its 500 bypassed send_with_headers and went out without
                # API-Version, X-Request-ID or the security headers. Send the same problem detail
                # from here instead; re-raising still lets the registered handler log the error
                # (it sees the response started and sends nothing more) and the server report it.
                if not response_started:
                    response = problem_response(
                        500, "an unexpected error occurred; it has been logged", instance=scope["path"]
                    )
                    await response(scope, receive, send_with_headers)
                raise
        finally:
            await close_sessions(scope)
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "durationMs": round(elapsed * 1000, 2),
                },
            )
            REQUEST_ID.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        # Bodies sent without Content-Length (chunked) are counted as they arrive.
        seen = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal seen
            message: dict[str, Any] = await receive()  # type: ignore[assignment]
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(f"the request body exceeds {limit} bytes")
            return message  # type: ignore[return-value]

        return limited_receive


async def close_sessions(scope: Scope) -> None:
    """Close the request's database sessions (returning their connections; what a use case did not
    commit is rolled back). A failure here is logged, never raised over the answer already sent."""
    state = scope.get("state")
    sessions = state.pop(SESSIONS, ()) if isinstance(state, dict) else ()
    for session in sessions:
        try:
            await give_back_lease(session)
            if not session.in_transaction():
                continue  # it never took a connection of its own (a read answered on its lease)
            await session.close()
        except Exception:  # noqa: BLE001 - the answer is out; the pool discards a broken connection
            logging.getLogger("koppelwerk.errors").warning("closing a database session failed", exc_info=True)


async def give_back_lease(session: Any) -> None:
    """Give the driver connection a read session holds (persistence.db.DriverLease) back to its pool."""
    lease = session.info.get(DRIVER_LEASE)
    if lease is not None:
        await lease.give_back()
