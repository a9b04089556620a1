"""Shared fixtures: a real database per backend (SQLite file and PostgreSQL), built by the Alembic
migrations, the app on it, and principals for every role.

Every database-backed test runs twice, once per backend (the `database_url` fixture is
parametrised). Under CI=true a missing PostgreSQL fails the run; elsewhere it skips with a message.

Isolation: each test starts from empty tables (one TRUNCATE on PostgreSQL, DELETEs on SQLite)
rather than an outer rolled-back transaction, because the service's own transactions must commit
for real — concurrency and fault tests depend on it.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.app import create_app
from api.settings import Settings
from persistence import migrate
from persistence.tables import metadata
from tests.factories import World

PG_ADMIN_DSN = os.environ.get("KOPPELWERK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-for-the-koppelwerk-suite-0123456789"


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def _async_url(dsn: str, database: str) -> str:
    url = make_url(dsn).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this backend, dropped at the end of the session."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "koppelwerk-test.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    problem = _pg_reachable()
    if problem:
        message = f"PostgreSQL not reachable at {PG_ADMIN_DSN} ({problem})"
        if IN_CI:
            pytest.fail(message + "; under CI=true the PostgreSQL run is mandatory")
        pytest.skip(message + "; set KOPPELWERK_TEST_PG_DSN to run the PostgreSQL half")
    name = f"koppelwerk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _async_url(PG_ADMIN_DSN, name)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "jwt_secret": TEST_SECRET,
        "cors_origins": ["https://app.koppelwerk.example"],
        "fast_password_hashing": True,
        # The suite makes many logins and searches from one address; the limits get their own test.
        "token_rate_limit": "100000/minute",
        "resident_search_rate_limit": "100000/minute",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    from tests.keys import external_issuer

    return make_settings(database_url, external_issuers=[external_issuer()])


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def session_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


class Wiper:
    """Empties every table between tests (the schema itself stays, as migrated)."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        # Only tables the migrations created: a table declared but not (yet) migrated is the
        # migration tests' business, not a reason for every other test to fail here.
        existing = self._existing_tables()
        self.tables = [t.name for t in reversed(metadata.sorted_tables) if t.name in existing]

    def _existing_tables(self) -> set[str]:
        if self.url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(str(Path(self.url.database or "")))
            try:
                return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                connection.close()
        with psycopg.connect(self._dsn()) as connection:
            rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            return {row[0] for row in rows}

    def _dsn(self) -> str:
        return self.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def __call__(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(str(Path(self.url.database or "")))
            try:
                connection.execute("PRAGMA foreign_keys=OFF")
                for table in self.tables:
                    connection.execute(f'DELETE FROM "{table}"')  # noqa: S608 - names from our metadata
                connection.commit()
            finally:
                connection.close()
            return
        with psycopg.connect(self._dsn(), autocommit=True) as connection:
            connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def wiper(database_url: str) -> Wiper:
    return Wiper(database_url)


@pytest.fixture
def client(session_client: TestClient, wiper: Wiper) -> TestClient:
    """The app on a database emptied for this test."""
    wiper()
    session_client.headers.clear()
    return session_client


@pytest.fixture
def world(client: TestClient, app: FastAPI) -> World:
    """Organisations and one account per role, with ready-made Authorization headers."""
    return World.build(client, app)
