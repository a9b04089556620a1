"""Needs and the offers that could answer them.

The list mirrors the read policy of domain.referral_policies in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, exists, false, insert, or_, select, update

from domain.casework import Actor, Priority
from domain.categories import NeedCategory
from domain.identity import PrincipalKind
from domain.needs import Candidate, Need, NeedFilter
from domain.pagination import Page, PageRequest
from persistence.offers import CATEGORY, OFFER, SERVES, SqlOfferRepository
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository
from persistence.tables import UserRow
from persistence.tables_referrals import NeedRow
from persistence.tables_residents import ResidentRow

NEED: Table = NeedRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]
RESIDENT: Table = ResidentRow.__table__  # type: ignore[assignment]
MAX_CANDIDATES = 500


def _recorder(row: Mapping[str, Any], column: str) -> Actor:
    return Actor(PrincipalKind.user, row[column], row.get("recorder_name") or "")


# --- needs -------------------------------------------------------------------------------------


def _need(row: Mapping[str, Any]) -> Need:
    return Need(
        id=row["id"],
        wijk_id=row["wijk_id"],
        koppel_id=row["koppel_id"],
        resident_id=row["resident_id"],
        category=NeedCategory(row["category"]),
        description=row["description"],
        urgency=Priority(row["urgency"]),
        recorded_by=_recorder(row, "recorded_by_user_id"),
        redacted_at=row["redacted_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class SqlNeedRepository(TableRepository[Need]):
    table = NEED
    to_entity = staticmethod(_need)
    not_found = "need not found"

    def _select(self) -> Any:
        return select(self.table, USER.c.display_name.label("recorder_name")).join(
            USER, USER.c.id == self.table.c.recorded_by_user_id
        )

    async def add(self, need: Need) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=need.id,
                wijk_id=need.wijk_id,
                koppel_id=need.koppel_id,
                resident_id=need.resident_id,
                category=need.category.value,
                description=need.description,
                urgency=need.urgency.value,
                redacted_at=need.redacted_at,
                recorded_by_user_id=need.recorded_by.id,
                version=need.version,
                created_at=need.created_at,
                updated_at=need.updated_at,
            )
        )

    async def get(self, entity_id: UUID) -> Need | None:
        row = (await self.session.execute(self._select().where(self.table.c.id == entity_id))).mappings().first()
        return _need(row) if row else None

    async def list(self, wijk_ids: frozenset[UUID], page: PageRequest, filters: NeedFilter) -> Page[Need]:
        # Mirrors domain.referral_policies.can_work_with_needs: the caller's wijken only.
        c = self.table.c
        conditions: list[Any] = [c.wijk_id.in_(list(wijk_ids)) if wijk_ids else false()]
        for column, value in (
            (c.wijk_id, filters.wijk_id),
            (c.koppel_id, filters.koppel_id),
            (c.category, filters.category.value if filters.category else None),
            (c.urgency, filters.urgency.value if filters.urgency else None),
            (c.resident_id, filters.resident_id),
        ):
            if value is not None:
                conditions.append(column == value)
        return await fetch_page(self.session, self._select().where(*conditions), [c.created_at, c.id], page, _need)

    async def save(self, need: Need, expected_version: int, now: datetime) -> Need:
        changes = {"category": need.category.value, "description": need.description, "urgency": need.urgency.value}
        await self.update(need.id, expected_version, changes, now)
        saved = await self.get(need.id)
        assert saved is not None
        return saved

    async def of_resident(self, resident_id: UUID) -> list[Need]:
        c = self.table.c
        stmt = self._select().where(c.resident_id == resident_id).order_by(c.created_at, c.id)
        return [_need(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def redact_resident(self, resident_id: UUID, now: datetime) -> int:
        """Remove the description and the link to the resident; category, urgency, wijk stay."""
        c = self.table.c
        result = await self.session.execute(
            update(self.table)
            .where(c.resident_id == resident_id)
            .values(resident_id=None, description=None, redacted_at=now, version=c.version + 1, updated_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def offer_candidates(
        self, wijk_id: UUID, municipality_code: str, categories: Iterable[NeedCategory]
    ) -> list[Candidate]:
        """Current offers serving the wijk (by name or its whole municipality) in one of `categories`,
        with the wijk of their volunteering neighbour."""
        o, s, cat, r = OFFER.c, SERVES.c, CATEGORY.c, RESIDENT.c
        offers = SqlOfferRepository(self.session)
        stmt = (
            offers._select()
            .add_columns(r.wijk_id.label("volunteer_wijk_id"))
            .outerjoin(RESIDENT, r.id == o.volunteer_resident_id)
            .where(
                o.archived_at.is_(None),
                or_(exists().where(s.offer_id == o.id, s.wijk_id == wijk_id), o.municipality_code == municipality_code),
                exists().where(cat.offer_id == o.id, cat.category.in_([c.value for c in categories])),
            )
            .order_by(o.title, o.id)
            .limit(MAX_CANDIDATES)
        )
        rows = list((await self.session.execute(stmt)).mappings().all())
        found = await offers._with_links(rows)
        return [Candidate(offer, row["volunteer_wijk_id"]) for offer, row in zip(found, rows, strict=True)]

