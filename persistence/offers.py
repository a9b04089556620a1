"""The offer catalogue with its categories and the wijken each offer serves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, delete, exists, false, func, insert, or_, select, update

from domain.categories import NeedCategory
from domain.identity import KOPPEL_ROLES
from domain.offers import Offer, OfferFilter
from domain.pagination import Page, PageRequest
from domain.scope import Scope
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository
from persistence.tables import OfferCategoryRow, OfferRow, OfferWijkRow, OrganisationRow, WijkRow

OFFER: Table = OfferRow.__table__  # type: ignore[assignment]
CATEGORY: Table = OfferCategoryRow.__table__  # type: ignore[assignment]
SERVES: Table = OfferWijkRow.__table__  # type: ignore[assignment]
ORGANISATION: Table = OrganisationRow.__table__  # type: ignore[assignment]
WIJK: Table = WijkRow.__table__  # type: ignore[assignment]


def _offer(row: Mapping[str, Any], categories: Iterable[str] = (), wijk_ids: Iterable[UUID] = ()) -> Offer:
    return Offer(
        id=row["id"],
        provider_organisation_id=row["provider_organisation_id"],
        title=row["title"],
        description=row["description"],
        categories=frozenset(NeedCategory(c) for c in categories),
        wijk_ids=frozenset(wijk_ids),
        municipality_code=row["municipality_code"],
        capacity=row["capacity"],
        available=row["available"],
        contact_route=row["contact_route"],
        archived_at=row["archived_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        volunteer_resident_id=row["volunteer_resident_id"],
        provider_name=row.get("provider_name") or "",
    )


def _columns(offer: Offer) -> dict[str, Any]:
    return {
        "provider_organisation_id": offer.provider_organisation_id,
        "volunteer_resident_id": offer.volunteer_resident_id,
        "title": offer.title,
        "description": offer.description,
        "municipality_code": offer.municipality_code,
        "capacity": offer.capacity,
        "available": offer.available,
        "contact_route": offer.contact_route,
        "archived_at": offer.archived_at,
    }


class SqlOfferRepository(TableRepository[Offer]):
    table = OFFER
    to_entity = staticmethod(_offer)
    not_found = "offer not found"

    def _select(self) -> Any:
        return select(self.table, ORGANISATION.c.name.label("provider_name")).outerjoin(
            ORGANISATION, ORGANISATION.c.id == self.table.c.provider_organisation_id
        )

    async def add(self, offer: Offer) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=offer.id,
                version=offer.version,
                created_at=offer.created_at,
                updated_at=offer.updated_at,
                **_columns(offer),
            )
        )
        await self._set_links(offer)

    async def _set_links(self, offer: Offer) -> None:
        for table in (CATEGORY, SERVES):
            await self.session.execute(delete(table).where(table.c.offer_id == offer.id))
        if offer.categories:
            await self.session.execute(
                insert(CATEGORY),
                [{"offer_id": offer.id, "category": c.value} for c in sorted(offer.categories)],
            )
        if offer.wijk_ids:
            await self.session.execute(
                insert(SERVES), [{"offer_id": offer.id, "wijk_id": w} for w in sorted(offer.wijk_ids)]
            )

    async def _with_links(self, rows: list[Mapping[str, Any]]) -> list[Offer]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        categories: dict[UUID, list[str]] = {}
        wijken: dict[UUID, list[UUID]] = {}
        stmt = select(CATEGORY.c.offer_id, CATEGORY.c.category).where(CATEGORY.c.offer_id.in_(ids))
        for offer_id, category in (await self.session.execute(stmt)).all():
            categories.setdefault(offer_id, []).append(category)
        stmt = select(SERVES.c.offer_id, SERVES.c.wijk_id).where(SERVES.c.offer_id.in_(ids))
        for offer_id, wijk_id in (await self.session.execute(stmt)).all():
            wijken.setdefault(offer_id, []).append(wijk_id)
        return [_offer(r, categories.get(r["id"], ()), wijken.get(r["id"], ())) for r in rows]

    async def get(self, entity_id: UUID) -> Offer | None:
        row = (
            (await self.session.execute(self._select().where(self.table.c.id == entity_id)))
            .mappings()
            .first()
        )
        return (await self._with_links([row]))[0] if row else None

    def _scope(self, scope: Scope) -> Any:
        # Mirrors domain.scope.can_read_offer.
        o, s = self.table.c, SERVES.c
        if scope.reaches_all:
            return None
        if scope.own_organisation_only:
            return o.provider_organisation_id == scope.organisation_id
        if scope.role in KOPPEL_ROLES:
            return or_(
                exists().where(s.offer_id == o.id, s.wijk_id.in_(list(scope.wijk_ids))),
                o.municipality_code.in_(list(scope.municipality_codes)),
            )
        return false()

    async def list(self, scope: Scope, page: PageRequest, filters: OfferFilter) -> Page[Offer]:
        o, s, cat = self.table.c, SERVES.c, CATEGORY.c
        conditions = []
        in_scope = self._scope(scope)
        if in_scope is not None:
            conditions.append(in_scope)
        if filters.category is not None:
            conditions.append(exists().where(cat.offer_id == o.id, cat.category == filters.category.value))
        if filters.wijk_id is not None:
            # Offers serving the wijk by name, or its whole municipality.
            municipality = (
                select(WIJK.c.municipality_code).where(WIJK.c.id == filters.wijk_id).scalar_subquery()
            )
            conditions.append(
                or_(
                    exists().where(s.offer_id == o.id, s.wijk_id == filters.wijk_id),
                    o.municipality_code == municipality,
                )
            )
        if filters.available is not None:
            conditions.append(o.available == filters.available)
        if filters.provider_organisation_id is not None:
            conditions.append(o.provider_organisation_id == filters.provider_organisation_id)
        conditions.append(o.archived_at.is_not(None) if filters.archived else o.archived_at.is_(None))
        rows = await fetch_page(
            self.session, self._select().where(*conditions), [o.title, o.id], page, lambda r: r
        )
        return Page(items=await self._with_links(rows.items), next_cursor=rows.next_cursor)

    async def save(self, offer: Offer, expected_version: int, now: datetime) -> Offer:
        await self.update(offer.id, expected_version, _columns(offer), now)
        await self._set_links(offer)
        saved = await self.get(offer.id)
        assert saved is not None
        return saved

    async def of_volunteer(self, resident_id: UUID) -> list[Offer]:
        o = self.table.c
        stmt = self._select().where(o.volunteer_resident_id == resident_id).order_by(o.created_at, o.id)
        return await self._with_links(list((await self.session.execute(stmt)).mappings().all()))

    async def release_volunteer(self, resident_id: UUID, now: datetime) -> int:
        """An erased neighbour no longer volunteers: archive their offers and remove the link."""
        o = self.table.c
        result = await self.session.execute(
            update(self.table)
            .where(o.volunteer_resident_id == resident_id)
            .values(
                volunteer_resident_id=None,
                available=False,
                archived_at=func.coalesce(o.archived_at, now),
                version=o.version + 1,
                updated_at=now,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def take_place(self, offer_id: UUID, now: datetime) -> bool | None:
        """Take one free place in a single conditional UPDATE, so concurrent requests can never drive
        the count below zero: True taken, False none left, None the offer has no fixed number."""
        o = self.table.c
        taken = await self.session.execute(
            update(self.table)
            .where(o.id == offer_id, o.capacity > 0)
            .values(capacity=o.capacity - 1, version=o.version + 1, updated_at=now)
            .returning(o.id)
        )
        if taken.first() is not None:
            return True
        capacity = (await self.session.execute(select(o.capacity).where(o.id == offer_id))).scalar_one_or_none()
        return None if capacity is None else False

    async def release_place(self, offer_id: UUID, now: datetime) -> None:
        """Give a place back (no-op when the offer no longer counts places)."""
        o = self.table.c
        await self.session.execute(
            update(self.table)
            .where(o.id == offer_id, o.capacity.is_not(None))
            .values(capacity=o.capacity + 1, version=o.version + 1, updated_at=now)
        )
