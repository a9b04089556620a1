"""Stored idempotency keys (domain.idempotency): claimed with INSERT … ON CONFLICT DO NOTHING, so a
second claim of the same key waits on the primary key until the first transaction ends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.idempotency import IdempotencyRecord, StoredResponse
from persistence.db import conflict_insert
from persistence.tables_integrations import IdempotencyKeyRow

KEY: Table = IdempotencyKeyRow.__table__  # type: ignore[assignment]


def _record(row: Mapping[str, Any]) -> IdempotencyRecord:
    response = None
    if row["response_status"] is not None:
        response = StoredResponse(row["response_status"], bytes(row["response_body"] or b""), dict(row["response_headers"] or {}))
    return IdempotencyRecord(
        principal_subject=row["principal_subject"],
        key=row["idempotency_key"],
        method=row["request_method"],
        path=row["request_path"],
        fingerprint=row["request_fingerprint"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        response=response,
    )


class SqlIdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Any:
        return conflict_insert(self.session, KEY)

    async def claim(self, record: IdempotencyRecord) -> bool:
        stmt = (
            self._insert()
            .values(
                principal_subject=record.principal_subject,
                idempotency_key=record.key,
                request_method=record.method,
                request_path=record.path,
                request_fingerprint=record.fingerprint,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
            .on_conflict_do_nothing(index_elements=["principal_subject", "idempotency_key"])
            .returning(KEY.c.idempotency_key)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def get(self, principal_subject: str, key: str) -> IdempotencyRecord | None:
        c = KEY.c
        stmt = select(KEY).where(c.principal_subject == principal_subject, c.idempotency_key == key)
        row = (await self.session.execute(stmt)).mappings().first()
        return _record(row) if row else None

    async def complete(self, principal_subject: str, key: str, response: StoredResponse) -> None:
        c = KEY.c
        await self.session.execute(
            update(KEY)
            .where(c.principal_subject == principal_subject, c.idempotency_key == key)
            .values(response_status=response.status, response_body=response.body, response_headers=dict(response.headers))
        )

    async def release(self, principal_subject: str, key: str) -> None:
        c = KEY.c
        await self.session.execute(delete(KEY).where(c.principal_subject == principal_subject, c.idempotency_key == key))

    async def purge_expired(self, now: datetime) -> int:
        result = await self.session.execute(delete(KEY).where(KEY.c.expires_at <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
