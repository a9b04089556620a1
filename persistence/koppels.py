"""Koppels, their memberships and wijk assignments (both kept with dates), and presence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, exists, insert, or_, select, update

from domain.errors import NotFound, PreconditionFailed
from domain.koppels import Koppel, KoppelFilter, KoppelRole, KoppelStatus, Membership, WijkAssignment
from domain.pagination import Page, PageRequest
from domain.presence import Presence, PresenceKind, Weekday
from domain.scope import Scope
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository, period_covers, plain
from persistence.tables import KoppelMemberRow, KoppelRow, KoppelWijkRow, PresenceRow, UserRow, WijkRow

KOPPEL: Table = KoppelRow.__table__  # type: ignore[assignment]
MEMBER: Table = KoppelMemberRow.__table__  # type: ignore[assignment]
ASSIGNMENT: Table = KoppelWijkRow.__table__  # type: ignore[assignment]
PRESENCE: Table = PresenceRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]
WIJK: Table = WijkRow.__table__  # type: ignore[assignment]


def _koppel(row: Mapping[str, Any]) -> Koppel:
    return Koppel(
        id=row["id"],
        name=row["name"],
        status=KoppelStatus(row["status"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _membership(row: Mapping[str, Any]) -> Membership:
    return Membership(
        id=row["id"],
        koppel_id=row["koppel_id"],
        user_id=row["user_id"],
        koppel_role=KoppelRole(row["koppel_role"]),
        joined_on=row["joined_on"],
        left_on=row["left_on"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        display_name=row.get("display_name") or "",
    )


def _assignment(row: Mapping[str, Any]) -> WijkAssignment:
    return WijkAssignment(
        id=row["id"],
        koppel_id=row["koppel_id"],
        wijk_id=row["wijk_id"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        wijk_code=row.get("wijk_code") or "",
        wijk_name=row.get("wijk_name") or "",
    )


def _presence(row: Mapping[str, Any]) -> Presence:
    return Presence(
        id=row["id"],
        koppel_id=row["koppel_id"],
        kind=PresenceKind(row["kind"]),
        weekday=list(Weekday)[row["weekday"] - 1] if row["weekday"] else None,
        occurs_on=row["occurs_on"],
        start_time=time.fromisoformat(row["start_time"]),
        end_time=time.fromisoformat(row["end_time"]),
        place=row["place"],
        note=row["note"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class SqlKoppelRepository(TableRepository[Koppel]):
    table = KOPPEL
    to_entity = staticmethod(_koppel)
    not_found = "koppel not found"

    async def add(self, koppel: Koppel) -> None:
        k = koppel
        await self.session.execute(
            insert(self.table).values(
                id=k.id,
                name=k.name,
                status=k.status.value,
                starts_on=k.starts_on,
                ends_on=k.ends_on,
                version=k.version,
                created_at=k.created_at,
                updated_at=k.updated_at,
            )
        )

    async def update(
        self, entity_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> Koppel:
        return await super().update(entity_id, expected_version, plain(changes), now)

    async def list(self, scope: Scope, page: PageRequest, filters: KoppelFilter) -> Page[Koppel]:
        k, a = self.table.c, ASSIGNMENT.c
        conditions = []
        if not scope.reaches_all:
            # Mirrors domain.scope.can_read_koppel: own koppels, or working today in a wijk in scope.
            conditions.append(
                or_(
                    k.id.in_(list(scope.koppel_ids)),
                    exists().where(
                        a.koppel_id == k.id,
                        a.wijk_id.in_(list(scope.koppel_wijk_ids)),
                        period_covers(a.starts_on, a.ends_on, scope.on),
                    ),
                )
            )
        if filters.wijk_id is not None:
            conditions.append(
                exists().where(
                    a.koppel_id == k.id,
                    a.wijk_id == filters.wijk_id,
                    period_covers(a.starts_on, a.ends_on, scope.on),
                )
            )
        if filters.status is not None:
            conditions.append(k.status == filters.status.value)
        if filters.active is not None:
            # Mirrors domain.koppels.Koppel.is_active_on.
            active = (k.status == KoppelStatus.actief.value) & period_covers(k.starts_on, k.ends_on, scope.on)
            conditions.append(active if filters.active else ~active)
        return await self._page(page, [k.name, k.id], *conditions)

    async def touch(self, koppel_id: UUID, now: datetime) -> Koppel:
        t = self.table
        stmt = (
            update(t)
            .where(t.c.id == koppel_id)
            .values(version=t.c.version + 1, updated_at=now)
            .returning(*t.c)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            raise NotFound(self.not_found)
        return _koppel(row)

    async def delete(self, koppel_id: UUID, expected_version: int) -> None:
        t = self.table
        # Claim the expected version first (locks the row), then remove what hangs off the koppel.
        claim = (
            update(t).where(t.c.id == koppel_id, t.c.version == expected_version).values(version=t.c.version)
        )
        if (await self.session.execute(claim)).rowcount == 0:  # type: ignore[attr-defined]
            if await self.get(koppel_id) is None:
                raise NotFound(self.not_found)
            raise PreconditionFailed("the resource was changed by someone else; fetch it again")
        for child in (PRESENCE, MEMBER, ASSIGNMENT):
            await self.session.execute(delete(child).where(child.c.koppel_id == koppel_id))
        await self.session.execute(delete(t).where(t.c.id == koppel_id))

    async def working_in(self, wijk_id: UUID, on: date) -> list[Koppel]:
        k, a = self.table.c, ASSIGNMENT.c
        stmt = (
            select(self.table)
            .where(
                exists().where(
                    a.koppel_id == k.id, a.wijk_id == wijk_id, period_covers(a.starts_on, a.ends_on, on)
                )
            )
            .order_by(k.name, k.id)
        )
        return [_koppel(r) for r in (await self.session.execute(stmt)).mappings().all()]


class SqlMembershipRepository(TableRepository[Membership]):
    table = MEMBER
    to_entity = staticmethod(_membership)
    not_found = "koppel membership not found"

    def _select(self) -> Any:
        return select(self.table, USER.c.display_name).join(USER, USER.c.id == self.table.c.user_id)

    async def add(self, membership: Membership) -> None:
        m = membership
        await self.session.execute(
            insert(self.table).values(
                id=m.id,
                koppel_id=m.koppel_id,
                user_id=m.user_id,
                koppel_role=m.koppel_role.value,
                joined_on=m.joined_on,
                left_on=m.left_on,
                version=m.version,
                created_at=m.created_at,
                updated_at=m.updated_at,
            )
        )

    async def get(self, entity_id: UUID) -> Membership | None:
        row = (
            (await self.session.execute(self._select().where(self.table.c.id == entity_id)))
            .mappings()
            .first()
        )
        return _membership(row) if row else None

    async def of_koppels(self, koppel_ids: Iterable[UUID]) -> list[Membership]:
        c = self.table.c
        stmt = self._select().where(c.koppel_id.in_(list(koppel_ids))).order_by(c.joined_on, c.id)
        return [_membership(r) for r in (await self.session.execute(stmt)).mappings().all()]

    async def list(self, koppel_id: UUID, page: PageRequest) -> Page[Membership]:
        c = self.table.c
        stmt = self._select().where(c.koppel_id == koppel_id)
        return await fetch_page(self.session, stmt, [c.joined_on, c.id], page, _membership)

    async def update(
        self, entity_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> Membership:
        return await super().update(entity_id, expected_version, plain(changes), now)


class SqlAssignmentRepository(TableRepository[WijkAssignment]):
    table = ASSIGNMENT
    to_entity = staticmethod(_assignment)
    not_found = "koppel wijk assignment not found"

    def _select(self) -> Any:
        return select(self.table, WIJK.c.code.label("wijk_code"), WIJK.c.name.label("wijk_name")).join(
            WIJK, WIJK.c.id == self.table.c.wijk_id
        )

    async def add(self, assignment: WijkAssignment) -> None:
        a = assignment
        await self.session.execute(
            insert(self.table).values(
                id=a.id,
                koppel_id=a.koppel_id,
                wijk_id=a.wijk_id,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                version=a.version,
                created_at=a.created_at,
                updated_at=a.updated_at,
            )
        )

    async def of_koppels(self, koppel_ids: Iterable[UUID]) -> list[WijkAssignment]:
        c = self.table.c
        stmt = self._select().where(c.koppel_id.in_(list(koppel_ids))).order_by(c.starts_on, c.id)
        return [_assignment(r) for r in (await self.session.execute(stmt)).mappings().all()]

    async def list(self, koppel_id: UUID, page: PageRequest) -> Page[WijkAssignment]:
        c = self.table.c
        stmt = self._select().where(c.koppel_id == koppel_id)
        return await fetch_page(self.session, stmt, [c.starts_on, c.id], page, _assignment)


def _presence_columns(p: Presence) -> dict[str, Any]:
    return {
        "kind": p.kind.value,
        "weekday": p.weekday.iso if p.weekday else None,
        "occurs_on": p.occurs_on,
        "start_time": p.start_time.strftime("%H:%M"),
        "end_time": p.end_time.strftime("%H:%M"),
        "place": p.place,
        "note": p.note,
        "sort_key": p.sort_key,
    }


class SqlPresenceRepository(TableRepository[Presence]):
    table = PRESENCE
    to_entity = staticmethod(_presence)
    not_found = "presence not found"

    async def add(self, presence: Presence) -> None:
        p = presence
        await self.session.execute(
            insert(self.table).values(
                id=p.id,
                koppel_id=p.koppel_id,
                version=p.version,
                created_at=p.created_at,
                updated_at=p.updated_at,
                **_presence_columns(p),
            )
        )

    async def list(self, koppel_id: UUID, page: PageRequest) -> Page[Presence]:
        c = self.table.c
        return await self._page(page, [c.sort_key, c.id], c.koppel_id == koppel_id)

    async def save(self, presence: Presence, expected_version: int, now: datetime) -> Presence:
        return await self.update(presence.id, expected_version, _presence_columns(presence), now)

    async def delete(self, presence_id: UUID, expected_version: int) -> None:
        await self._delete_versioned(presence_id, expected_version)

    async def of_koppels(self, koppel_ids: Iterable[UUID], from_day: date, until_day: date) -> list[Presence]:
        c = self.table.c
        stmt = (
            select(self.table)
            .where(
                c.koppel_id.in_(list(koppel_ids)),
                or_(
                    c.kind == PresenceKind.weekly.value,
                    (c.occurs_on >= from_day) & (c.occurs_on < until_day),
                ),
            )
            .order_by(c.sort_key, c.id)
        )
        return [_presence(r) for r in (await self.session.execute(stmt)).mappings().all()]
