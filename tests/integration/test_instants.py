"""Instants come back from either database as aware datetimes in UTC, whatever the session's time zone:
on asyncpg without a call per value (persistence.types.UTCDateTime.result_processor), elsewhere
normalised by the type."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import literal, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.types import UTCDateTime

AMSTERDAM_SUMMER = timezone(timedelta(hours=2))


def test_an_instant_reads_back_in_utc_whatever_the_session_time_zone(database_url: str) -> None:
    written = datetime(2026, 7, 1, 23, 30, 15, 123456, tzinfo=AMSTERDAM_SUMMER)

    async def read_back() -> datetime:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    await connection.execute(text("SET TIME ZONE 'Europe/Amsterdam'"))
                stmt = select(literal(written, type_=UTCDateTime()).label("at"))
                return (await connection.execute(stmt)).scalar_one()  # type: ignore[no-any-return]
        finally:
            await engine.dispose()

    read = asyncio.run(read_back())
    assert read == written
    assert read.tzinfo is UTC
    assert read.isoformat() == "2026-07-01T21:30:15.123456+00:00"
