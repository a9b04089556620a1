"""Idempotency keys: a system that retries a POST gets the first answer again, never a second effect.

A caller marks a POST with an `Idempotency-Key` (unique per caller). The first request with a key
claims it in the same transaction as its work and stores the response before that transaction
commits; so a stored key always holds a complete response, and a request that arrives while the
first one is still working waits for it (the database's uniqueness check on the claim) and then
replays the stored response. The key is bound to its request: the same key with another method, path
or body is a 409. A refused request (4xx) rolls back with its claim, so the caller can correct it and
send it again under the same key. Keys expire after a configurable period and are purged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from domain.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x21-\x7E]{1,255}$"  # visible ASCII, as a UUID or any client-made token is
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class StoredResponse:
    """The response a request got, to be replayed byte for byte."""

    status: int
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class IdempotencyRecord:
    """A claimed key: whose, which request it was bound to, and (once complete) its response."""

    principal_subject: str
    key: str
    method: str
    path: str
    fingerprint: str
    created_at: datetime
    expires_at: datetime
    response: StoredResponse | None = None

    def expired(self, now: datetime) -> bool:
        """True when the key may be claimed afresh."""
        return self.expires_at <= now


class IdempotencyRepository(Protocol):
    async def claim(self, record: IdempotencyRecord) -> bool:
        """Insert the record unless its (subject, key) exists; waits while another transaction holds
        the same key. True when this transaction now owns the key."""
        ...

    async def get(self, principal_subject: str, key: str) -> IdempotencyRecord | None: ...
    async def complete(self, principal_subject: str, key: str, response: StoredResponse) -> None: ...
    async def release(self, principal_subject: str, key: str) -> None: ...
    async def purge_expired(self, now: datetime) -> int: ...


def check_key(key: str | None, *, required: bool) -> str | None:
    """The key as sent, or None when absent and not required; 400 naming the header otherwise."""
    if key is None:
        if required:
            raise InvalidInput.field(
                HEADER, "systems send an Idempotency-Key (e.g. a fresh UUID) with every POST", code="required"
            )
        return None
    if not _KEY.match(key):
        raise InvalidInput.field(HEADER, "1 to 255 visible ASCII characters", code="pattern")
    return key


def fingerprint(method: str, path: str, body: bytes, *, extra: Mapping[str, str] | None = None) -> str:
    """sha256 over the method, the path with its query, the (canonical) body and any headers that
    change the request's meaning (If-Match)."""
    digest = hashlib.sha256()
    for part in (method.upper(), path):
        digest.update(part.encode())
        digest.update(b"\0")
    for name, value in sorted((extra or {}).items()):
        digest.update(f"{name.lower()}:{value}".encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def new_record(
    principal_subject: str, key: str, method: str, path: str, print_: str, now: datetime, lifetime: timedelta
) -> IdempotencyRecord:
    """A claim for `key`, valid for `lifetime`."""
    return IdempotencyRecord(principal_subject, key, method.upper(), path, print_, now, now + lifetime)


def replay(stored: IdempotencyRecord, method: str, path: str, print_: str) -> StoredResponse:
    """The stored response for a repeated request; 409 when the key was used for a different request."""
    if (stored.method, stored.path, stored.fingerprint) != (method.upper(), path, print_):
        raise Conflict(
            "this Idempotency-Key was used for a different request (method, path or body); "
            "use a new key for a new request"
        )
    if stored.response is None:  # never committed in this state; a defensive answer, not a code path
        raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
    return stored.response


async def purge_expired_keys(uow: UnitOfWork, now: datetime) -> int:
    """Remove the keys that have expired; the number removed."""
    removed = await uow.idempotency_keys.purge_expired(now)
    await uow.commit()
    return removed
