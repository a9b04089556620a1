"""Repositories over Core statements: each maps rows to domain objects and never commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound, PreconditionFailed
from domain.identity import Client, Organisation, OrganisationKind, Role, User
from domain.pagination import Page, PageRequest
from domain.ports import ThrottleState
from domain.scope import ScopeFacts
from persistence.db import DriverStatement
from persistence.pagination import fetch_page
from persistence.scope import MEMBER, koppel_facts_of, koppel_facts_select, koppel_memberships
from persistence.tables import ClientRow, LoginThrottleRow, OrganisationRow, UserRow

E = TypeVar("E")


class TableRepository(Generic[E]):
    """Add, get, versioned update and keyset listing for one table keyed by `id`."""

    table: Table
    to_entity: Callable[[Mapping[str, Any]], E]
    not_found: str = "resource not found"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entity: E) -> None:
        await self.session.execute(insert(self.table).values(**asdict(entity)))  # type: ignore[call-overload]

    async def get(self, entity_id: UUID) -> E | None:
        row = (await self.session.execute(select(self.table).where(self.table.c.id == entity_id))).mappings().first()
        return type(self).to_entity(row) if row else None

    async def update(self, entity_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime) -> E:
        """Compare-and-set on `version`: of N writers holding the same version exactly one wins."""
        t = self.table
        stmt = (
            update(t)
            .where(t.c.id == entity_id, t.c.version == expected_version)
            .values(**changes, version=t.c.version + 1, updated_at=now)
            .returning(*t.c)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            if await self.get(entity_id) is None:
                raise NotFound(self.not_found)
            raise PreconditionFailed("the resource was changed by someone else; fetch it again")
        return type(self).to_entity(row)

    async def _page(self, page: PageRequest, order: Sequence[Any], *conditions: Any) -> Page[E]:
        stmt = select(self.table).where(*conditions)
        return await fetch_page(self.session, stmt, order, page, type(self).to_entity)

    async def _delete_versioned(self, entity_id: UUID, expected_version: int) -> None:
        """Delete only the version the caller saw (412 when stale, 404 when already gone)."""
        t = self.table
        result = await self.session.execute(delete(t).where(t.c.id == entity_id, t.c.version == expected_version))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            if await self.get(entity_id) is None:
                raise NotFound(self.not_found)
            raise PreconditionFailed("the resource was changed by someone else; fetch it again")


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members as their values, so every driver stores plain strings."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def period_covers(starts_on: Any, ends_on: Any, day: date) -> ColumnElement[bool]:
    """SQL for domain.dates.Period.covers: starts_on <= day < ends_on (open end when NULL)."""
    return and_(starts_on <= day, or_(ends_on.is_(None), ends_on > day))


def _organisation(row: Mapping[str, Any]) -> Organisation:
    return Organisation(
        id=row["id"],
        name=row["name"],
        kind=OrganisationKind(row["kind"]),
        municipality_code=row["municipality_code"],
        active=row["active"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _user(row: Mapping[str, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        email=row["email"],
        role=Role(row["role"]),
        organisation_id=row["organisation_id"],
        active=row["active"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        password_hash=row["password_hash"],
    )


def _client(row: Mapping[str, Any]) -> Client:
    return Client(
        id=row["id"],
        client_id=row["client_id"],
        name=row["name"],
        role=Role(row["role"]),
        organisation_id=row["organisation_id"],
        active=row["active"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        secret_hash=row["secret_hash"],
    )


class SqlOrganisationRepository(TableRepository[Organisation]):
    table = OrganisationRow.__table__  # type: ignore[assignment]
    to_entity = staticmethod(_organisation)
    not_found = "organisation not found"

    async def list(
        self, page: PageRequest, *, kind: OrganisationKind | None, active: bool | None
    ) -> Page[Organisation]:
        c = self.table.c
        conditions = []
        if kind is not None:
            conditions.append(c.kind == kind.value)
        if active is not None:
            conditions.append(c.active == active)
        return await self._page(page, [c.name, c.id], *conditions)


class SqlUserRepository(TableRepository[User]):
    table = UserRow.__table__  # type: ignore[assignment]
    to_entity = staticmethod(_user)
    not_found = "user not found"

    def __init__(self, session: AsyncSession, scope_facts: dict[UUID, ScopeFacts] | None = None) -> None:
        super().__init__(session)
        self.scope_facts = scope_facts if scope_facts is not None else {}

    async def get_signed_in(self, entity_id: UUID) -> User | None:
        """The account behind a token, read with the koppel facts its scope rests on (one row per
        membership and assignment): every staff request checks its token and at once loads its scope,
        and this way both cost one round trip. The facts wait in `scope_facts` for the next
        SqlScopeRepository.koppel_facts of this user, which takes them (nothing is written between)."""
        rows = await _SIGNED_IN.rows(self.session, {"signed_in_user": entity_id})  # every staff request sends it
        if not rows:
            return None
        self.scope_facts[entity_id] = koppel_facts_of(rows)
        return _user(rows[0])

    async def get_by_username(self, username: str) -> User | None:
        stmt = select(self.table).where(self.table.c.username == username)
        row = (await self.session.execute(stmt)).mappings().first()
        return _user(row) if row else None

    async def list(
        self, page: PageRequest, *, organisation_id: UUID | None, role: Role | None, active: bool | None
    ) -> Page[User]:
        c = self.table.c
        conditions = []
        if organisation_id is not None:
            conditions.append(c.organisation_id == organisation_id)
        if role is not None:
            conditions.append(c.role == role.value)
        if active is not None:
            conditions.append(c.active == active)
        return await self._page(page, [c.username], *conditions)


# Built once: composing this select (its outer joins and labels) per request cost more than running it.
_USER: Table = UserRow.__table__  # type: ignore[assignment]
_SIGNED_IN = DriverStatement.of(
    koppel_facts_select(*_USER.c)
    .select_from(koppel_memberships(_USER.outerjoin(MEMBER, MEMBER.c.user_id == _USER.c.id)))
    .where(_USER.c.id == bindparam("signed_in_user"))
)


class SqlClientRepository(TableRepository[Client]):
    table = ClientRow.__table__  # type: ignore[assignment]
    to_entity = staticmethod(_client)
    not_found = "client not found"

    async def get_by_client_id(self, client_id: str) -> Client | None:
        stmt = select(self.table).where(self.table.c.client_id == client_id)
        row = (await self.session.execute(stmt)).mappings().first()
        return _client(row) if row else None

    async def list(self, page: PageRequest, *, organisation_id: UUID | None, active: bool | None) -> Page[Client]:
        c = self.table.c
        conditions = []
        if organisation_id is not None:
            conditions.append(c.organisation_id == organisation_id)
        if active is not None:
            conditions.append(c.active == active)
        return await self._page(page, [c.name, c.id], *conditions)


class SqlLoginThrottleRepository:
    table: Table = LoginThrottleRow.__table__  # type: ignore[assignment]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, login_name: str) -> ThrottleState:
        stmt = select(self.table.c.failed_count, self.table.c.locked_until).where(
            self.table.c.login_name == login_name
        )
        row = (await self.session.execute(stmt)).first()
        return ThrottleState(row[0], row[1]) if row else ThrottleState(0, None)

    async def record_failure(self, login_name: str, now: datetime, locked_until: datetime | None) -> int:
        t = self.table
        stmt = (
            update(t)
            .where(t.c.login_name == login_name)
            .values(failed_count=t.c.failed_count + 1, last_failed_at=now, locked_until=locked_until)
            .returning(t.c.failed_count)
        )
        count = (await self.session.execute(stmt)).scalar()
        if count is None:
            await self.session.execute(
                insert(t).values(login_name=login_name, failed_count=1, last_failed_at=now, locked_until=locked_until)
            )
            count = 1
        return int(count)

    async def reset(self, login_name: str) -> None:
        await self.session.execute(delete(self.table).where(self.table.c.login_name == login_name))
