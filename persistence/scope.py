"""The facts a principal's scope rests on: one query per call, raw rows for domain.scope to judge."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Table, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dates import Period
from domain.koppels import KoppelStatus
from domain.scope import AssignmentFact, MembershipFact, ReachableWijk, ScopeFacts
from persistence.db import DriverStatement
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


def koppel_facts_select(*leading: Any) -> Select[Any]:
    """The koppel facts' columns (after `leading`), from the memberships onwards; add the WHERE."""
    m, k, a, w = MEMBER.c, KOPPEL.c, ASSIGNMENT.c, WIJK.c
    return select(
        *leading,
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


def koppel_memberships(joined: Any) -> Any:
    """`joined` (the memberships, or the account they belong to) joined with the koppels, assignments
    and wijken the facts read — outer joins, so an account without memberships still has its row."""
    m, k, a, w = MEMBER.c, KOPPEL.c, ASSIGNMENT.c, WIJK.c
    return (
        joined.outerjoin(KOPPEL, k.id == m.koppel_id)
        .outerjoin(ASSIGNMENT, a.koppel_id == k.id)
        .outerjoin(WIJK, w.id == a.wijk_id)
    )


def koppel_facts_of(rows: Iterable[Mapping[str, Any]]) -> ScopeFacts:
    """The ScopeFacts in rows of koppel_facts_select (rows without a membership are skipped)."""
    memberships: set[MembershipFact] = set()
    assignments: set[AssignmentFact] = set()
    for row in rows:
        if row["koppel_id"] is None:
            continue
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


class SqlScopeRepository:
    def __init__(self, session: AsyncSession, prefetched: dict[UUID, ScopeFacts] | None = None) -> None:
        self.session = session
        # Koppel facts read together with an account in this unit of work, by user id.
        self.prefetched = prefetched if prefetched is not None else {}

    async def koppel_facts(self, user_id: UUID) -> ScopeFacts:
        """Every membership of the user with its koppel and that koppel's wijk assignments (all dates:
        which of them hold today is decided by domain.scope.compute_scope). Already loaded with the
        account when this request's token was checked (SqlUserRepository.get): then no query."""
        known = self.prefetched.pop(user_id, None)
        if known is not None:
            return known
        stmt = koppel_facts_select().select_from(koppel_memberships(MEMBER)).where(MEMBER.c.user_id == user_id)
        return koppel_facts_of((await self.session.execute(stmt)).mappings().all())

    async def municipality_facts(self, organisation_id: UUID) -> ScopeFacts:
        """The organisation's municipality and the wijken in it."""
        rows = await _MUNICIPALITY.rows(self.session, {"organisation_id": organisation_id})  # every gemeente request
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


# An organisation's municipality and the wijken in it (SqlScopeRepository.municipality_facts).
_MUNICIPALITY = DriverStatement.of(
    select(ORGANISATION.c.municipality_code.label("organisation_municipality"), WIJK.c.id, WIJK.c.municipality_code)
    .select_from(ORGANISATION)
    .outerjoin(WIJK, WIJK.c.municipality_code == ORGANISATION.c.municipality_code)
    .where(ORGANISATION.c.id == bindparam("organisation_id"))
)
