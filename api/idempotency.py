"""`Idempotency-Key` on POST: the one mechanism every system-facing POST uses (see domain.idempotency).

A route takes `IdempotencyDep` (or `RequiredIdempotencyDep`, for routes only systems call) and hands its
work to `run`, which answers with a rendered `Response`:

    return await once.run(scope.principal, lambda: work())

Without a key the work simply runs. With one, the key is claimed in the request's own transaction
before the work, the use case's commit is held back until the rendered response is stored with the
key, and then everything commits together. A repeat gets the stored status, body and headers
(`Location`, `ETag`, …) byte for byte, plus `Idempotent-Replayed: true`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from api.dependencies import UowDep
from domain import idempotency
from domain.errors import Conflict
from domain.identity import Principal
from persistence.uow import SqlUnitOfWork

REPLAYED_HEADER = "Idempotent-Replayed"
# Response headers that belong to the answer and are replayed with it.
KEPT_HEADERS = ("content-type", "location", "content-location", "etag", "link")
DESCRIPTION = (
    "A unique value per request, e.g. a fresh UUID; required for systems. Sending the same request again "
    "with the same key replays the first response (`Idempotent-Replayed: true`) instead of doing the work "
    "twice; the same key with a different request is a 409. Keys are kept for "
    "`KOPPELWERK_IDEMPOTENCY_KEY_HOURS` (default 24) hours."
)


@dataclass(frozen=True)
class Reply:
    """What a route's work answers: a status, a JSON body and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"

    @classmethod
    def json(cls, status: int, content: Any, headers: dict[str, str] | None = None) -> Reply:
        """Serialise a response model (or a list of them) by its camelCase aliases."""
        body = TypeAdapter(type(content)).dump_json(content, by_alias=True)
        return cls(status, body, dict(headers or {}))

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.media_type, headers=self.headers)


def _canonical(body: bytes, content_type: str) -> bytes:
    """A JSON body with its keys sorted (a client that re-serialises the same request still matches)."""
    if "json" in content_type:
        try:
            return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            return body
    return body


class IdempotentPost:
    """The request's key (if any) and the means to run its work at most once."""

    def __init__(self, request: Request, uow: SqlUnitOfWork, key: str | None) -> None:
        self.request = request
        self.uow = uow
        self.key = key
        hours = request.app.state.settings.idempotency_key_hours
        self.lifetime = timedelta(hours=hours)

    async def run(
        self,
        principal: Principal,
        work: Callable[[], Awaitable[Reply]],
        *,
        required: bool | None = None,
        request_body: bytes | None = None,
    ) -> Response:
        """Do `work` once per key; a key is required of systems unless `required` says otherwise.
        `request_body` replaces the raw body in the fingerprint (a form whose credentials change per
        token, for one)."""
        key = idempotency.check_key(self.key, required=principal.is_system if required is None else required)
        if key is None:
            return (await work()).response()
        now = datetime.now(UTC)
        request = self.request
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = request_body if request_body is not None else _canonical(await request.body(), request.headers.get("content-type", ""))
        extra = {"If-Match": request.headers["if-match"]} if "if-match" in request.headers else None
        print_ = idempotency.fingerprint(request.method, path, body, extra=extra)
        record = idempotency.new_record(principal.subject, key, request.method, path, print_, now, self.lifetime)
        repository = self.uow.idempotency_keys
        for _attempt in range(3):
            if await repository.claim(record):
                break
            stored = await repository.get(principal.subject, key)
            if stored is None:
                continue  # the other request rolled back or the key was purged meanwhile: claim it now
            if stored.expired(now):
                await repository.release(principal.subject, key)
                continue
            replayed = idempotency.replay(stored, request.method, path, print_)
            headers = {**replayed.headers, REPLAYED_HEADER: "true"}
            return Response(replayed.body, status_code=replayed.status, headers=headers)
        else:
            raise Conflict("a request with this Idempotency-Key is being processed; retry shortly")
        async with self.uow.holding():
            reply = await work()
            response = reply.response()
            kept = {name: value for name, value in response.headers.items() if name.lower() in KEPT_HEADERS}
            await repository.complete(principal.subject, key, idempotency.StoredResponse(reply.status, reply.body, kept))
            await self.uow.commit_held()
        return response


async def _optional(
    request: Request,
    uow: UowDep,
    key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, min_length=1, max_length=255, pattern=idempotency.KEY_PATTERN, description=DESCRIPTION),
    ] = None,
) -> IdempotentPost:
    return IdempotentPost(request, uow, key)


async def _required(
    request: Request,
    uow: UowDep,
    key: Annotated[
        str,
        Header(alias=idempotency.HEADER, min_length=1, max_length=255, pattern=idempotency.KEY_PATTERN, description=DESCRIPTION),
    ],
) -> IdempotentPost:
    return IdempotentPost(request, uow, key)


IdempotencyDep = Annotated[IdempotentPost, Depends(_optional)]
RequiredIdempotencyDep = Annotated[IdempotentPost, Depends(_required)]
