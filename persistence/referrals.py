"""Needs, the offers that could answer them, and referrals with their residents and status history.

Lists mirror the read policies of domain.referral_policies in SQL; residents and names are read per
page, not per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Table, Text, and_, cast, delete, exists, false, insert, or_, select, update

from domain.casework import Actor, Priority
from domain.categories import NeedCategory
from domain.consents import ConsentScope
from domain.identity import KOPPEL_ROLES, PrincipalKind, Role
from domain.needs import Candidate, Need, NeedFilter
from domain.pagination import Page, PageRequest
from domain.referrals import OPEN_STATUSES, Referral, ReferralFilter, ReferralStatus, ReferralStatusChange
from domain.scope import Scope
from persistence.offers import CATEGORY, OFFER, ORGANISATION, SERVES, SqlOfferRepository
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository
from persistence.tables import UserRow
from persistence.tables_referrals import NeedRow, ReferralResidentRow, ReferralRow, ReferralStatusChangeRow
from persistence.tables_residents import ResidentConsentRow, ResidentRow

NEED: Table = NeedRow.__table__  # type: ignore[assignment]
REFERRAL: Table = ReferralRow.__table__  # type: ignore[assignment]
PARTY: Table = ReferralResidentRow.__table__  # type: ignore[assignment]
HISTORY: Table = ReferralStatusChangeRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]
RESIDENT: Table = ResidentRow.__table__  # type: ignore[assignment]
CONSENT: Table = ResidentConsentRow.__table__  # type: ignore[assignment]
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


# --- referrals ---------------------------------------------------------------------------------


def _referral(row: Mapping[str, Any], resident_ids: Iterable[UUID] = ()) -> Referral:
    return Referral(
        id=row["id"],
        need_id=row["need_id"],
        offer_id=row["offer_id"],
        organisation_id=row["organisation_id"],
        wijk_id=row["wijk_id"],
        koppel_id=row["koppel_id"],
        category=NeedCategory(row["category"]),
        mediation=row["mediation"],
        resident_ids=frozenset(resident_ids),
        status=ReferralStatus(row["status"]),
        note=row["note"],
        rejection_reason=row["rejection_reason"],
        withdrawal_reason=row["withdrawal_reason"],
        follow_up_on=row["follow_up_on"],
        followed_up_on=row["followed_up_on"],
        holds_place=row["holds_place"],
        registered_at=row["registered_at"],
        closed_at=row["closed_at"],
        redacted_at=row["redacted_at"],
        proposed_by=_recorder(row, "proposed_by_user_id"),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        offer_title=row.get("offer_title") or "",
        organisation_name=row.get("organisation_name") or "",
        need_description=row.get("need_description"),
        need_urgency=Priority(row["need_urgency"]) if row.get("need_urgency") else None,
    )


def _referral_columns(r: Referral) -> dict[str, Any]:
    return {
        "status": r.status.value,
        "note": r.note,
        "rejection_reason": r.rejection_reason,
        "withdrawal_reason": r.withdrawal_reason,
        "follow_up_on": r.follow_up_on,
        "followed_up_on": r.followed_up_on,
        "holds_place": r.holds_place,
        "registered_at": r.registered_at,
        "closed_at": r.closed_at,
    }


def _status_change(row: Mapping[str, Any]) -> ReferralStatusChange:
    user_id = row["changed_by_user_id"]
    return ReferralStatusChange(
        id=row["id"],
        referral_id=row["referral_id"],
        from_status=ReferralStatus(row["from_status"]) if row["from_status"] else None,
        to_status=ReferralStatus(row["to_status"]),
        reason=row["reason"],
        actor=Actor(PrincipalKind.user, user_id, row.get("recorder_name") or "") if user_id else None,
        changed_at=row["changed_at"],
        at_version=row["at_version"],
    )


def identity_consent(resident_id: Any, organisation_id: UUID, at: datetime) -> Any:
    """SQL for 'a consent of this resident, valid at `at`, naming the organisation and covering
    identity' — mirrors domain.consents.Consent.covers. The scope is a JSON list of fixed words, none
    a part of another, so its text holds '"identity"' exactly when identity is covered."""
    c = CONSENT.c
    return exists().where(
        c.resident_id == resident_id,
        c.organisation_id == organisation_id,
        c.given_at <= at,
        or_(c.withdrawn_at.is_(None), c.withdrawn_at > at),
        cast(c.scope, Text).like(f'%"{ConsentScope.identity.value}"%'),
    )


class SqlReferralRepository(TableRepository[Referral]):
    table = REFERRAL
    to_entity = staticmethod(_referral)
    not_found = "referral not found"

    def _select(self) -> Any:
        r, o, org, n, u = self.table.c, OFFER.c, ORGANISATION.c, NEED.c, USER.c
        return (
            select(
                self.table,
                o.title.label("offer_title"),
                org.name.label("organisation_name"),
                n.description.label("need_description"),
                n.urgency.label("need_urgency"),
                u.display_name.label("recorder_name"),
            )
            .join(OFFER, o.id == r.offer_id)
            .join(ORGANISATION, org.id == r.organisation_id)
            .join(NEED, n.id == r.need_id)
            .join(USER, u.id == r.proposed_by_user_id)
        )

    async def _with_residents(self, rows: list[Mapping[str, Any]]) -> list[Referral]:
        if not rows:
            return []
        found: dict[UUID, set[UUID]] = {}
        stmt = select(PARTY.c.referral_id, PARTY.c.resident_id).where(PARTY.c.referral_id.in_([r["id"] for r in rows]))
        for referral_id, resident_id in (await self.session.execute(stmt)).all():
            found.setdefault(referral_id, set()).add(resident_id)
        return [_referral(r, found.get(r["id"], ())) for r in rows]

    async def add(self, referral: Referral) -> None:
        r = referral
        await self.session.execute(
            insert(self.table).values(
                id=r.id,
                need_id=r.need_id,
                offer_id=r.offer_id,
                organisation_id=r.organisation_id,
                wijk_id=r.wijk_id,
                koppel_id=r.koppel_id,
                category=r.category.value,
                mediation=r.mediation,
                redacted_at=r.redacted_at,
                proposed_by_user_id=r.proposed_by.id,
                version=r.version,
                created_at=r.created_at,
                updated_at=r.updated_at,
                **_referral_columns(r),
            )
        )
        if r.resident_ids:
            await self.session.execute(
                insert(PARTY), [{"referral_id": r.id, "resident_id": x} for x in sorted(r.resident_ids, key=str)]
            )

    async def get(self, entity_id: UUID) -> Referral | None:
        row = (await self.session.execute(self._select().where(self.table.c.id == entity_id))).mappings().first()
        return (await self._with_residents([row]))[0] if row else None

    async def list(self, scope: Scope, page: PageRequest, filters: ReferralFilter, now: datetime) -> Page[Referral]:
        r, p = self.table.c, PARTY.c
        conditions: list[Any] = [self._scope(scope, now)]
        for column, value in (
            (r.wijk_id, filters.wijk_id),
            (r.koppel_id, filters.koppel_id),
            (r.need_id, filters.need_id),
            (r.offer_id, filters.offer_id),
            (r.status, filters.status.value if filters.status else None),
        ):
            if value is not None:
                conditions.append(column == value)
        if filters.resident_id is not None:
            conditions.append(exists().where(p.referral_id == r.id, p.resident_id == filters.resident_id))
        rows = await fetch_page(self.session, self._select().where(*conditions), [r.created_at, r.id], page, lambda x: x)
        return Page(items=await self._with_residents(rows.items), next_cursor=rows.next_cursor)

    def _scope(self, scope: Scope, now: datetime) -> Any:
        # Mirrors domain.referral_policies.can_read_referral.
        r, p = self.table.c, PARTY.c
        if scope.role in KOPPEL_ROLES:
            return r.wijk_id.in_(list(scope.wijk_ids)) if scope.wijk_ids else false()
        if scope.role is Role.agency_worker:
            return and_(
                r.organisation_id == scope.organisation_id,
                r.status != ReferralStatus.voorgesteld.value,
                ~exists().where(
                    p.referral_id == r.id, ~identity_consent(p.resident_id, scope.organisation_id, now)
                ),
            )
        return false()

    async def save(self, referral: Referral, expected_version: int, now: datetime) -> Referral:
        await self.update(referral.id, expected_version, _referral_columns(referral), now)
        saved = await self.get(referral.id)
        assert saved is not None
        return saved

    async def open_for(self, need_id: UUID, offer_id: UUID) -> bool:
        r = self.table.c
        stmt = select(r.id).where(
            r.need_id == need_id, r.offer_id == offer_id, r.status.in_([s.value for s in OPEN_STATUSES])
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def add_status_change(self, change: ReferralStatusChange) -> None:
        await self.session.execute(
            insert(HISTORY).values(
                id=change.id,
                referral_id=change.referral_id,
                at_version=change.at_version,
                from_status=change.from_status.value if change.from_status else None,
                to_status=change.to_status.value,
                reason=change.reason,
                changed_by_user_id=change.actor.id if change.actor else None,
                changed_at=change.changed_at,
            )
        )

    async def status_changes(self, referral_id: UUID, page: PageRequest) -> Page[ReferralStatusChange]:
        h, u = HISTORY.c, USER.c
        stmt = (
            select(HISTORY, u.display_name.label("recorder_name"))
            .outerjoin(USER, u.id == h.changed_by_user_id)
            .where(h.referral_id == referral_id)
        )
        return await fetch_page(self.session, stmt, [h.at_version], page, _status_change)

    async def follow_ups(
        self, koppel_id: UUID, wijk_ids: frozenset[UUID], due: date, page: PageRequest
    ) -> Page[Referral]:
        r = self.table.c
        conditions = [
            r.koppel_id == koppel_id,
            r.wijk_id.in_(list(wijk_ids)) if wijk_ids else false(),
            r.follow_up_on <= due,
            r.followed_up_on.is_(None),
            r.status != ReferralStatus.ingetrokken.value,
        ]
        rows = await fetch_page(self.session, self._select().where(*conditions), [r.follow_up_on, r.id], page, lambda x: x)
        return Page(items=await self._with_residents(rows.items), next_cursor=rows.next_cursor)

    async def of_resident(self, resident_id: UUID) -> list[Referral]:
        r, p = self.table.c, PARTY.c
        stmt = (
            self._select()
            .where(exists().where(p.referral_id == r.id, p.resident_id == resident_id))
            .order_by(r.created_at, r.id)
        )
        return await self._with_residents(list((await self.session.execute(stmt)).mappings().all()))

    async def redact_resident(self, resident_id: UUID, now: datetime, *, keep_reason: str) -> int:
        """Remove every text of the resident's referrals (note, reasons, history reasons except the
        service's own fixed phrase) and the links to the resident."""
        r, p, h = self.table.c, PARTY.c, HISTORY.c
        theirs = select(p.referral_id).where(p.resident_id == resident_id)
        result = await self.session.execute(
            update(self.table)
            .where(r.id.in_(theirs))
            .values(
                note=None, rejection_reason=None, withdrawal_reason=None, redacted_at=now,
                version=r.version + 1, updated_at=now,
            )
        )
        await self.session.execute(
            update(HISTORY)
            .where(h.referral_id.in_(theirs), or_(h.reason.is_(None), h.reason != keep_reason))
            .values(reason=None)
        )
        await self.session.execute(delete(PARTY).where(p.resident_id == resident_id))
        return int(result.rowcount)  # type: ignore[attr-defined]
