"""The async engine and session factory: asyncpg on PostgreSQL, aiosqlite on SQLite."""

from __future__ import annotations

import errno
import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Table, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# SQLSTATE classes that say the database cannot serve right now, whatever was asked: 08 connection
# exception, 53 insufficient resources (too many connections, disk full), 57 operator intervention
# (shutting down, starting up, connection terminated, statement cancelled), 58 system error.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
# A connection the network refused, reset or could not route; raised bare by the driver, not wrapped.
_NETWORK_ERRNOS = frozenset({
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.EHOSTUNREACH,
    errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN, errno.ETIMEDOUT,
})


@dataclass(frozen=True)
class DatabaseOptions:
    url: str
    pool_size: int = 32
    max_overflow: int = 0
    pool_timeout_seconds: float = 5.0
    connect_timeout_seconds: float = 5.0
    statement_timeout_seconds: float = 15.0
    echo: bool = False


def is_sqlite(url: str) -> bool:
    """True for an embedded SQLite database URL."""
    return make_url(url).get_backend_name() == "sqlite"


def _enable_sqlite_rules(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked per connection; WAL lets readers run beside a
    # writer, and busy_timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(options: DatabaseOptions) -> AsyncEngine:
    """Build the engine; pools are bounded with a timeout so a dry pool answers 503, not a hang."""
    url = make_url(options.url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=options.echo, hide_parameters=True, connect_args={"timeout": 5}
        )
        event.listen(engine.sync_engine, "connect", _enable_sqlite_rules)
        return engine
    return create_async_engine(
        url,
        echo=options.echo,
        # Statement parameters can hold personal data; keep them out of error messages and logs.
        hide_parameters=True,
        pool_size=options.pool_size,
        max_overflow=options.max_overflow,
        pool_timeout=options.pool_timeout_seconds,
        # No pre-ping: on asyncpg it costs BEGIN, a ping and ROLLBACK — three round trips on every
        # checkout, more than most requests' own work. A connection the server dropped fails its first
        # statement instead; SQLAlchemy recognises the disconnect and discards the pool's connections
        # of that moment, the request answers 503 with Retry-After (database_unavailable), and the next
        # request connects afresh (tests/integration/test_database_faults.py).
        pool_pre_ping=False,
        connect_args={
            "timeout": options.connect_timeout_seconds,
            "command_timeout": options.statement_timeout_seconds,
            "server_settings": {"application_name": "koppelwerk-api"},
        },
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions keep loaded values after commit: responses are built after the commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for GET and HEAD. On PostgreSQL they run in autocommit: a read's statements need no
    BEGIN and ROLLBACK around them (two round trips of a list's five), and the only writes a read
    makes are its audit events, each appended by one statement that commits by itself before the
    response leaves. Advisory locks and savepoints belong to writes, which keep their transaction."""
    if engine.dialect.name != "postgresql":
        return create_session_factory(engine)
    return create_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


@dataclass(frozen=True)
class DriverPool:
    """A worker's few asyncpg connections of its own (create_driver_pool)."""

    pool: asyncpg.Pool
    acquire_timeout: float  # as the engine's pool timeout: a dry pool answers 503, not a hang

    def acquire(self) -> Any:
        """A connection for `async with`, back in the pool at its end."""
        return self.pool.acquire(timeout=self.acquire_timeout)

    async def take(self) -> asyncpg.Connection:
        """A connection to give back later (DriverLease)."""
        return await self.pool.acquire(timeout=self.acquire_timeout)

    async def give_back(self, connection: asyncpg.Connection) -> None:
        await self.pool.release(connection)

    async def close(self) -> None:
        await self.pool.close()


class DriverLease:
    """One connection of a driver pool for all of a request's statements sent straight to the driver:
    taken at the first, given back when the request's session closes (api.middleware.close_sessions).
    Taking and giving back a connection of asyncpg's pool costs about 40 µs of worker CPU (the give
    back runs as a task of its own), and a page of signals sends two statements, statistics three."""

    def __init__(self, pool: DriverPool) -> None:
        self.pool = pool
        self._connection: asyncpg.Connection | None = None

    async def connection(self) -> asyncpg.Connection:
        if self._connection is None:
            self._connection = await self.pool.take()
        return self._connection

    async def give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await self.pool.give_back(connection)


# Where a read session keeps its lease on the driver pool (Session.info): its statements sent straight
# to asyncpg then go to that connection instead of the session's (DriverStatement.fetch).
DRIVER_LEASE = "koppelwerk.driver_lease"


async def _decode_json_as_sqlalchemy_does(connection: asyncpg.Connection) -> None:
    # The same codecs SQLAlchemy's asyncpg dialect registers, so a row reads alike from either pool.
    await connection.set_type_codec(
        "json", encoder=str.encode, decoder=lambda raw: json.loads(raw.decode()), schema="pg_catalog",
        format="binary",
    )
    await connection.set_type_codec(
        "jsonb", encoder=lambda text: b"\x01" + text.encode(), decoder=lambda raw: json.loads(raw[1:].decode()),
        schema="pg_catalog", format="binary",
    )


async def _keep_as_is(_connection: asyncpg.Connection) -> None:
    """Nothing to reset: the pool's statements run one at a time in autocommit and set nothing."""


async def create_driver_pool(options: DatabaseOptions, size: int) -> DriverPool:
    """A worker's few asyncpg connections of its own, opened as they are first needed, for statements
    that go from a read straight to the driver (api.hot_reads, DriverLease): taking one costs about 18 µs of
    worker CPU against about 85 µs for a connection of SQLAlchemy's pool (its greenlet hops and
    connection wrappers). asyncpg would reset a connection on its return with one more round trip;
    nothing here needs it."""
    url = make_url(options.url).set(drivername="postgresql")
    pool = await asyncpg.create_pool(
        url.render_as_string(hide_password=False),
        min_size=0,
        max_size=size,
        init=_decode_json_as_sqlalchemy_does,
        reset=_keep_as_is,
        # No inactivity timer: re-armed at every release, it costs more than an idle connection does.
        max_inactive_connection_lifetime=0,
        timeout=options.connect_timeout_seconds,
        command_timeout=options.statement_timeout_seconds,
        server_settings={
            "application_name": "koppelwerk-api",
            # Left to choose, PostgreSQL planned every list page afresh (a custom plan: 100-160 µs of
            # server CPU, a third of a signal page's) for the plan its generic one already is. The
            # statements sent here are few, prepared once per connection, and each has an index that
            # serves every value of its parameters, so the plan made once serves them all: a work queue
            # of a rare status reads (status, wijk_id, created_at, id) (migration 0011) like one of a
            # common status. A statement added to this pool needs such an index too.
            "plan_cache_mode": "force_generic_plan",
            # A generic plan prices LIMIT $n as a tenth of the rows, so at ten times the volume a page of
            # contact moments was priced past jit_above_cost and compiled (120 ms) for a 0.3 ms walk.
            "jit": "off",
        },
    )
    return DriverPool(pool, options.pool_timeout_seconds)


# serialization_failure and deadlock_detected: PostgreSQL rolled the transaction back so that another
# could go on (a deadlock among row locks, e.g. two writers taking the statistics' count and version
# rows of two wijken in opposite order); the same request may well succeed when sent again.
_CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE PostgreSQL answered with: asyncpg's server errors arrive wrapped in SQLAlchemy's
    DBAPIError from the session, bare from a connection of the driver pool."""
    if isinstance(error, sa_exc.DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
    elif isinstance(error, asyncpg.PostgresError):
        sqlstate = error.sqlstate
    else:
        return None
    return sqlstate if isinstance(sqlstate, str) else None


def transaction_conflict(error: BaseException) -> bool:
    """True when the database gave up `error`'s transaction for a concurrent one; nothing of it was written."""
    return _sqlstate(error) in _CONFLICT_SQLSTATES


def database_unavailable(error: BaseException) -> bool:
    """True when `error` means the database cannot be reached or cannot serve right now, so the same
    request may succeed later; False for a statement the database refused."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection within the pool timeout
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            return True
        # asyncpg's server errors arrive as the generic DBAPIError, e.g. "the database system is
        # shutting down" while connecting, or "terminating connection due to administrator command".
        return (_sqlstate(error) or "")[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    # The same, raised bare by a connection of the driver pool: a closed or lost connection, or the server's.
    if isinstance(error, asyncpg.InterfaceError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        return (_sqlstate(error) or "")[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    # asyncpg raises its connect and command timeouts, and the socket's errors, without wrapping them.
    if isinstance(error, TimeoutError | ConnectionError | socket.gaierror):
        return True
    if isinstance(error, OSError):
        # asyncio raises a bare "Multiple exceptions: …" OSError when every address of a host failed.
        return error.errno in _NETWORK_ERRNOS or str(error).startswith("Multiple exceptions:")
    return False


def on_postgresql(session: AsyncSession) -> bool:
    """True when the session talks to PostgreSQL (else the embedded SQLite database)."""
    return session.get_bind().dialect.name == "postgresql"


def conflict_insert(session: AsyncSession, table: Table) -> Any:
    """An INSERT into `table` that can say ON CONFLICT DO NOTHING, in the session's SQL dialect."""
    return (postgresql.insert if on_postgresql(session) else sqlite.insert)(table)


async def ping(engine: AsyncEngine) -> None:
    """One round trip to prove the database answers (readiness)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled once for asyncpg ($1 … with the casts SQLAlchemy renders) and its
    parameters' names in that order. For the hottest reads on PostgreSQL: SQLAlchemy's statement
    execution and result wrapping cost more worker CPU than the rows themselves. Bound values skip
    SQLAlchemy's type processing, so they must be what asyncpg takes (enum members as their value)."""

    statement: Any  # as SQLAlchemy runs it, on SQLite
    sql: str
    names: tuple[str, ...]
    fixed: Mapping[str, Any]  # the values the statement carries itself (literals SQLAlchemy binds)

    @classmethod
    def of(cls, statement: Any) -> DriverStatement:
        compiled = statement.compile(dialect=asyncpg_dialect())
        fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        return cls(statement, str(compiled), tuple(compiled.positiontup or ()), fixed)

    async def rows(self, session: AsyncSession, values: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        """Its rows, read by column name: on PostgreSQL through `fetch`, elsewhere through the session."""
        if on_postgresql(session):
            return await self.fetch(session, values)
        return (await session.execute(self.statement, values)).mappings().all()

    async def fetch(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        """Its rows (asyncpg Records, read by column name), on the session's connection: inside the
        transaction SQLAlchemy began there once it sent a statement of its own, else by itself, as
        any single statement runs (SQLAlchemy begins a transaction lazily, at its first statement).
        So a statement that writes (the resident read's audit event) belongs here only when it is
        atomic by itself; a use case's writes go through the session and its commit.

        A read session that has sent nothing yet sends it on the connection of its driver lease instead
        (DRIVER_LEASE; GET and HEAD on PostgreSQL run in autocommit, so each statement stands alone
        either way): the session's own connection would cost SQLAlchemy's checkout, greenlet hops and
        release around a statement that needs none of them. The driver's errors are then raised bare;
        database_unavailable knows them."""
        lease: DriverLease | None = session.info.get(DRIVER_LEASE)
        if lease is not None and not session.in_transaction():
            connection = await lease.connection()
            return list(await connection.fetch(self.sql, *self._arguments(values)))
        return await self.fetch_on(await session.connection(), values)

    async def fetch_one_from(self, pool: DriverPool, values: Mapping[str, Any]) -> Any:
        """Its first row (an asyncpg Record) or None, on a connection of `pool`, in autocommit. The
        driver's errors are raised as they are: the caller (api.hot_reads) then hands the request to
        the route that answers it through SQLAlchemy."""
        async with pool.acquire() as connection:
            return await connection.fetchrow(self.sql, *self._arguments(values))

    def _arguments(self, values: Mapping[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.fixed[name] for name in self.names]

    async def fetch_on(self, connection: AsyncConnection, values: Mapping[str, Any]) -> list[Any]:
        """Its rows, on `connection`."""
        pooled = await connection.get_raw_connection()
        driver = pooled.driver_connection
        assert driver is not None
        try:
            return list(await driver.fetch(self.sql, *self._arguments(values)))
        except Exception as error:
            await connection.run_sync(_raise_as_sqlalchemy, pooled.dbapi_connection, error, self.sql)
            raise


def _raise_as_sqlalchemy(connection: Connection, adapted: Any, error: Exception, statement: str) -> None:
    """Raise the driver's `error` as SQLAlchemy raises it for a statement of its own: as one of its
    DBAPIError classes, and with the connection invalidated when it was lost (the pool replaces it),
    so the error handlers and the pool see what they see for every other statement."""
    try:
        adapted._handle_exception(error)  # the dialect's translation into its DBAPI's error classes
    except Exception as dbapi_error:
        connection._handle_dbapi_exception(dbapi_error, statement, None, None, None)
