"""The facts a principal's scope rests on: one query per call, raw rows for domain.scope to judge."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Table, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dates import Period
from domain.koppels import KoppelStatus
from domain.scope import AssignmentFact, MembershipFact, ReachableWijk, ScopeFacts
from persistence.tables import (
    KoppelMemberRow,
    KoppelRow,
    KoppelWijkRow,
    OfferRow,
    OfferWijkRow,
    OrganisationRow,
    WijkRow,
)
from persistence.tables_integrations import ServiceAreaRow

KOPPEL: Table = KoppelRow.__table__  # type: ignore[assignment]
MEMBER: Table = KoppelMemberRow.__table__  # type: ignore[assignment]
ASSIGNMENT: Table = KoppelWijkRow.__table__  # type: ignore[assignment]
WIJK: Table = WijkRow.__table__  # type: ignore[assignment]
ORGANISATION: Table = OrganisationRow.__table__  # type: ignore[assignment]
OFFER: Table = OfferRow.__table__  # type: ignore[assignment]
SERVES: Table = OfferWijkRow.__table__  # type: ignore[assignment]
SERVICE_AREA: Table = ServiceAreaRow.__table__  # type: ignore[assignment]


class SqlScopeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def koppel_facts(self, user_id: UUID) -> ScopeFacts:
        """Every membership of the user with its koppel and that koppel's wijk assignments (all dates:
        which of them hold today is decided by domain.scope.compute_scope)."""
        m, k, a, w = MEMBER.c, KOPPEL.c, ASSIGNMENT.c, WIJK.c
        stmt = (
            select(
                m.koppel_id,
                m.joined_on,
                m.left_on,
                k.status,
                k.starts_on.label("koppel_starts_on"),
                k.ends_on.label("koppel_ends_on"),
                a.wijk_id,
                a.starts_on.label("assignment_starts_on"),
                a.ends_on.label("assignment_ends_on"),
                w.municipality_code,
            )
            .join(KOPPEL, k.id == m.koppel_id)
            .outerjoin(ASSIGNMENT, a.koppel_id == k.id)
            .outerjoin(WIJK, w.id == a.wijk_id)
            .where(m.user_id == user_id)
        )
        memberships: set[MembershipFact] = set()
        assignments: set[AssignmentFact] = set()
        for row in (await self.session.execute(stmt)).mappings().all():
            active = row["status"] == KoppelStatus.actief.value
            memberships.add(
                MembershipFact(
                    koppel_id=row["koppel_id"],
                    member=Period(row["joined_on"], row["left_on"]),
                    koppel=Period(row["koppel_starts_on"], row["koppel_ends_on"]) if active else None,
                )
            )
            if row["wijk_id"] is not None:
                assignments.add(
                    AssignmentFact(
                        koppel_id=row["koppel_id"],
                        wijk_id=row["wijk_id"],
                        municipality_code=row["municipality_code"],
                        period=Period(row["assignment_starts_on"], row["assignment_ends_on"]),
                    )
                )
        return ScopeFacts(memberships=tuple(memberships), assignments=tuple(assignments))

    async def municipality_facts(self, organisation_id: UUID) -> ScopeFacts:
        """The organisation's municipality and the wijken in it."""
        o, w = ORGANISATION.c, WIJK.c
        stmt = (
            select(o.municipality_code.label("organisation_municipality"), w.id, w.municipality_code)
            .select_from(ORGANISATION)
            .outerjoin(WIJK, w.municipality_code == o.municipality_code)
            .where(o.id == organisation_id)
        )
        rows = (await self.session.execute(stmt)).mappings().all()
        return ScopeFacts(
            wijken=tuple(ReachableWijk(r["id"], r["municipality_code"]) for r in rows if r["id"] is not None),
            municipality_code=rows[0]["organisation_municipality"] if rows else None,
        )

    async def offer_facts(self, organisation_id: UUID) -> ScopeFacts:
        """The wijken the organisation's current offers serve, by name or by whole municipality."""
        w, o, s = WIJK.c, OFFER.c, SERVES.c
        own = (o.provider_organisation_id == organisation_id) & o.archived_at.is_(None)
        named = select(s.wijk_id).join(OFFER, o.id == s.offer_id).where(own)
        municipalities = select(o.municipality_code).where(own, o.municipality_code.is_not(None))
        stmt = select(w.id, w.municipality_code).where(
            or_(w.id.in_(named), w.municipality_code.in_(municipalities))
        )
        rows = (await self.session.execute(stmt)).all()
        return ScopeFacts(wijken=tuple(ReachableWijk(wijk_id, code) for wijk_id, code in rows))

    async def service_area_facts(self, organisation_id: UUID) -> ScopeFacts:
        """The wijken the organisation serves, by name or by whole municipality."""
        w, a = WIJK.c, SERVICE_AREA.c
        mine = a.organisation_id == organisation_id
        named = select(a.wijk_id).where(mine, a.wijk_id.is_not(None))
        municipalities = select(a.municipality_code).where(mine, a.municipality_code.is_not(None))
        stmt = select(w.id, w.municipality_code).where(or_(w.id.in_(named), w.municipality_code.in_(municipalities)))
        rows = (await self.session.execute(stmt)).all()
        return ScopeFacts(wijken=tuple(ReachableWijk(wijk_id, code) for wijk_id, code in rows))
