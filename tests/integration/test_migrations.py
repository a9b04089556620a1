"""Alembic is the only source of the schema: up to head and down to base on each backend, and the
migrated schema equals the tables the code declares."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from persistence import migrate
from persistence.tables import metadata
from tests.conftest import PG_ADMIN_DSN, _async_url


@pytest.fixture
def scratch_url(backend: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend, separate from the suite's shared one."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"koppelwerk_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _async_url(PG_ADMIN_DSN, name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _inspect(url: str, work):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _tables(url: str) -> set[str]:
    return set(_inspect(url, lambda c: inspect(c).get_table_names()))


def test_upgrade_head_then_downgrade_base_leaves_nothing_behind(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    assert {t.name for t in metadata.sorted_tables} <= _tables(scratch_url)
    migrate.downgrade(scratch_url, "base")
    assert _tables(scratch_url) <= {"alembic_version"}
    migrate.upgrade(scratch_url)  # and back up again: downgrades really undo
    assert {t.name for t in metadata.sorted_tables} <= _tables(scratch_url)


def test_migrated_schema_matches_the_declared_tables(scratch_url: str) -> None:
    migrate.upgrade(scratch_url)
    differences = _inspect(
        scratch_url,
        lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata),
    )
    assert differences == []


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    from sqlalchemy import text

    from persistence.db import DatabaseOptions, create_engine

    url = f"sqlite+aiosqlite:///{tmp_path / 'fk.db'}"
    migrate.upgrade(url)

    async def go() -> int:
        engine = create_engine(DatabaseOptions(url))
        try:
            async with engine.connect() as connection:
                return int((await connection.execute(text("PRAGMA foreign_keys"))).scalar_one())
        finally:
            await engine.dispose()

    assert asyncio.run(go()) == 1
