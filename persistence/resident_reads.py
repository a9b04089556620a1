"""GET /residents/{id} in one statement on PostgreSQL: the account, its koppel wijken today, the resident
and the read's audit event — the request a koppel makes all day, at the price of one round trip.

The statement mirrors, for koppel members, rules that live in the domain; change them together:
- domain.scope.compute_scope: the wijken of the koppels the user is a member of on `on`, whose koppel is
  `actief` and runs on `on`, through assignments that hold on `on` (Period.covers: starts_on <= day and
  day < ends_on, an open end covering every later day);
- domain.residents.can_read_resident: a koppel member reads the residents of those wijken, never an
  anonymised one;
- domain.residents.disclosed and domain.audit.audit_event: the event names the fields that hold a value,
  sorted.
tests/integration/test_resident_one_trip.py compares the statement with those rules.

It runs outside a transaction (autocommit): a single statement is atomic by itself, and BEGIN and COMMIT
would be two more round trips. PostgreSQL runs the data-modifying WITH part exactly once, whether or not
the outer query reads it, so the audit event is stored exactly when the resident is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Boolean, String, Table, bindparam, column, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.audit import ActorKind, AuditAction, RecordKind
from domain.identity import PrincipalKind, Role
from domain.koppels import KoppelStatus
from domain.residents import RESIDENT_FIELDS, OneTripAnswer, OneTripRead, Resident
from persistence.db import DriverPool, DriverStatement
from persistence.tables_residents import AuditEventRow, ResidentRow

RESIDENT: Table = ResidentRow.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEventRow.__table__  # type: ignore[assignment]

# When each field a resident read discloses holds a value (domain.residents.disclosed).
_HOLDS_VALUE = {
    "givenName": "r.given_name IS NOT NULL",
    "familyName": "r.family_name IS NOT NULL",
    "address": "r.postcode IS NOT NULL",
    "phone": "r.phone IS NOT NULL",
    "email": "r.email IS NOT NULL",
    "birthYear": "r.birth_year IS NOT NULL",
    "isKeyFigure": "TRUE",
    "languages": "json_array_length(r.languages::json) > 0",
    "wijkId": "TRUE",
}
assert set(_HOLDS_VALUE) == set(RESIDENT_FIELDS), "a resident field was added: say when it holds a value"


def _covers(starts: str, ends: str) -> str:
    return f"{starts} <= :on AND ({ends} IS NULL OR :on < {ends})"


_FIELDS = "to_json(array_remove(ARRAY[{}]::text[], NULL))".format(
    ", ".join(f"CASE WHEN {_HOLDS_VALUE[name]} THEN '{name}' END" for name in sorted(RESIDENT_FIELDS))
)
_COLUMNS = ", ".join(f"r.{c.name}" for c in RESIDENT.c)

# Only this module's constants are interpolated; every value is a bound parameter.
_SQL = f"""
WITH account AS (
    SELECT id, role, organisation_id, active FROM user_account WHERE id = :user_id
), wijken AS (
    SELECT a.wijk_id
    FROM koppel_member m
    JOIN koppel k ON k.id = m.koppel_id
    JOIN koppel_wijk a ON a.koppel_id = k.id
    WHERE m.user_id = :user_id
      AND {_covers("m.joined_on", "m.left_on")}
      AND k.status = '{KoppelStatus.actief.value}' AND {_covers("k.starts_on", "k.ends_on")}
      AND {_covers("a.starts_on", "a.ends_on")}
), readable AS (
    SELECT r.* FROM resident r
    WHERE r.id = :resident_id AND r.anonymised_at IS NULL
      AND r.wijk_id IN (SELECT wijk_id FROM wijken)
      AND EXISTS (SELECT 1 FROM account WHERE active AND role = ANY(:readers))
), logged AS (
    INSERT INTO audit_event (id, occurred_at, actor_kind, actor_id, actor_role, actor_organisation_id, action,
                             resident_id, record_kind, record_id, fields, purpose, request_id)
    SELECT :event_id, :now, '{ActorKind(PrincipalKind.user.value).value}', account.id, account.role,
           account.organisation_id, '{AuditAction.read.value}', r.id, '{RecordKind.resident.value}', r.id,
           {_FIELDS}, NULL, :request_id
    FROM readable r CROSS JOIN account
    RETURNING id
)
SELECT account.role AS account_role, account.active AS account_active, {_COLUMNS}
FROM account LEFT JOIN readable r ON TRUE
"""  # noqa: S608

STATEMENT = (
    text(_SQL)
    .bindparams(
        bindparam("readers", type_=ARRAY(String)),
        bindparam("now", type_=AUDIT.c.occurred_at.type),
    )
    .columns(column("account_role", String), column("account_active", Boolean), *RESIDENT.c)
)
# The same statement as asyncpg takes it: outside a transaction it goes straight to the driver.
ON_DRIVER = DriverStatement.of(STATEMENT)


def _parameters(request: OneTripRead) -> dict[str, Any]:
    return {
        "user_id": request.user_id,
        "on": request.on,
        "resident_id": request.resident_id,
        "readers": sorted(r.value for r in request.readers),
        "event_id": request.event_id,
        "now": request.now,
        "request_id": request.request_id,
    }


def _answer(row: Mapping[str, Any] | None, to_resident: Callable[[Mapping[str, Any]], Resident]) -> OneTripAnswer:
    if row is None:
        return OneTripAnswer(None, False, None)
    resident = to_resident(row) if row["id"] is not None else None
    return OneTripAnswer(Role(row["account_role"]), bool(row["account_active"]), resident)


async def read_audited(
    session: AsyncSession, request: OneTripRead, to_resident: Callable[[Mapping[str, Any]], Resident]
) -> OneTripAnswer:
    """Run the statement (PostgreSQL only) on a connection without a transaction of its own."""
    parameters = _parameters(request)
    engine = session.bind
    row: Mapping[str, Any] | None
    if session.in_transaction() or not isinstance(engine, AsyncEngine):
        # A use case that already wrote keeps its atomicity: the statement commits with it.
        row = (await session.execute(STATEMENT, parameters)).mappings().first()
    else:
        # Nothing begun: a pooled connection, and the statement straight to asyncpg, which runs it in
        # autocommit since no transaction is open on it. SQLAlchemy's transaction bookkeeping, statement
        # execution and result wrapping around this one row cost as much worker CPU as the rest of the
        # read. The session holds no connection here, so the request still takes one at a time.
        async with engine.connect() as connection:
            # The JSON column arrives decoded: SQLAlchemy registered its JSON codec on the connection.
            rows = await ON_DRIVER.fetch_on(connection, parameters)
        row = rows[0] if rows else None
    return _answer(row, to_resident)


async def read_audited_on_driver(
    pool: DriverPool, request: OneTripRead, to_resident: Callable[[Mapping[str, Any]], Resident]
) -> OneTripAnswer:
    """The same statement on a connection of the driver's own pool (api.hot_reads), in autocommit."""
    return _answer(await ON_DRIVER.fetch_one_from(pool, _parameters(request)), to_resident)
