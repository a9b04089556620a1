"""The offer catalogue (aanbod): help an agency offers in some wijken or a whole municipality.

An offer comes from a provider organisation (an agency, or a welfare organisation that helps
itself). A neighbour who volunteers (the seeds' neighbour with a financial background) offers help
through the organisation that coordinates the volunteers — usually the welfare organisation — so
consent for a referral names that organisation: `volunteer_resident_id` links the neighbour. Only
koppel members of the neighbour's wijk link one (the admin never sees residents), the link is
audited, the resident's export lists it, and an erasure archives the offer and removes the link.
Everyone else reads only that an offer is volunteered (`volunteering`), never by whom.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.audit import Actor, AuditAction, RecordKind, audit_event
from domain.categories import NeedCategory
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.identity import KOPPEL_ROLES, MUNICIPALITY_CODE, OrganisationKind
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.residents import can_write_resident
from domain.scope import OfferReach, Scope, can_manage_offer, can_read_offer, enforce

NOT_FOUND = "offer not found"
PROVIDER_KINDS = frozenset({OrganisationKind.instantie, OrganisationKind.welzijn})
MAX_WIJKEN = 200


@dataclass(frozen=True)
class Offer:
    id: UUID
    provider_organisation_id: UUID | None
    title: str
    description: str
    categories: frozenset[NeedCategory]
    wijk_ids: frozenset[UUID]
    municipality_code: str | None
    capacity: int | None
    available: bool
    contact_route: str
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    volunteer_resident_id: UUID | None = None
    provider_name: str = ""  # read with the offer

    @property
    def reach(self) -> OfferReach:
        return OfferReach(self.provider_organisation_id, self.wijk_ids, self.municipality_code)

    @property
    def volunteering(self) -> bool:
        """A neighbour volunteers this offer."""
        return self.volunteer_resident_id is not None


@dataclass(frozen=True)
class NewOffer:
    provider_organisation_id: UUID
    title: str
    description: str
    categories: frozenset[NeedCategory]
    contact_route: str
    wijk_ids: frozenset[UUID] = field(default_factory=frozenset)
    municipality_code: str | None = None
    capacity: int | None = None
    available: bool = True
    volunteer_resident_id: UUID | None = None


@dataclass(frozen=True)
class OfferFilter:
    category: NeedCategory | None = None
    wijk_id: UUID | None = None
    available: bool | None = None
    provider_organisation_id: UUID | None = None
    archived: bool = False


def check_offer(offer: Offer) -> Offer:
    """At least one category; served area is either listed wijken or one whole municipality."""
    if not offer.categories:
        raise InvalidInput.field("categories", "name at least one need category", code="required")
    if offer.wijk_ids and offer.municipality_code is not None:
        raise InvalidInput.field(
            "municipalityCode",
            "serve either listed wijken or a whole municipality, not both",
            code="exclusive",
        )
    if not offer.wijk_ids and offer.municipality_code is None:
        raise InvalidInput.field("wijkIds", "name the wijken served, or a municipalityCode", code="required")
    if len(offer.wijk_ids) > MAX_WIJKEN:
        raise InvalidInput.field("wijkIds", f"at most {MAX_WIJKEN} wijken", code="too_long")
    if offer.municipality_code is not None and not MUNICIPALITY_CODE.match(offer.municipality_code):
        raise InvalidInput.field("municipalityCode", "must be 'GM' followed by 4 digits", code="pattern")
    if offer.capacity is not None and offer.capacity < 0:
        raise InvalidInput.field("capacity", "must be zero or more", code="minimum")
    for name, value in (
        ("title", offer.title),
        ("description", offer.description),
        ("contactRoute", offer.contact_route),
    ):
        if not value.strip():
            raise InvalidInput.field(name, "must not be empty", code="required")
    return replace(
        offer,
        title=offer.title.strip(),
        description=offer.description.strip(),
        contact_route=offer.contact_route.strip(),
    )


async def _provider_name(uow: UnitOfWork, organisation_id: UUID) -> str:
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise InvalidInput.field("providerOrganisationId", "no such organisation", code="unknown_reference")
    if organisation.kind not in PROVIDER_KINDS:
        raise InvalidInput.field(
            "providerOrganisationId",
            f"offers come from an agency (instantie) or a welfare organisation, not a {organisation.kind.value}",
            code="provider_kind",
        )
    if not organisation.active:
        raise InvalidInput.field(
            "providerOrganisationId", "the organisation is deactivated", code="inactive_reference"
        )
    return organisation.name


async def _check_wijken(uow: UnitOfWork, scope: Scope, wijk_ids: frozenset[UUID]) -> None:
    # A wijk outside the caller's scope is reported exactly like one that does not exist.
    known = await uow.wijken.existing(wijk_ids)
    reachable = known if scope.reaches_all else known & scope.wijk_ids
    missing = wijk_ids - reachable
    if missing:
        raise InvalidInput.field(
            "wijkIds", f"no such wijk: {sorted(map(str, missing))[0]}", code="unknown_reference"
        )


async def _check_volunteer(uow: UnitOfWork, scope: Scope, offer: Offer) -> None:
    """A volunteering neighbour is a resident the caller reaches, offering help in their own wijk."""
    if scope.role not in KOPPEL_ROLES:
        raise Forbidden("only koppel members link a volunteering neighbour; the admin never sees residents")
    assert offer.volunteer_resident_id is not None
    resident = await uow.residents.get(offer.volunteer_resident_id)
    if resident is None or resident.anonymised or not can_write_resident(scope, resident.reach).allowed:
        raise InvalidInput.field("volunteerResidentId", "no such resident in your wijken", code="unknown_reference")
    if resident.wijk_id not in offer.wijk_ids:
        raise InvalidInput.field(
            "wijkIds", "a neighbour volunteers in their own wijk: list it in wijkIds", code="volunteer_wijk"
        )


async def create_offer(
    uow: UnitOfWork, scope: Scope, data: NewOffer, now: datetime, *, request_id: str | None = None
) -> Offer:
    """Add an offer to the catalogue (admin, or koppel members for their own wijken); koppel members
    may link a neighbour who volunteers it (audited under `request_id`)."""
    offer = check_offer(
        Offer(
            id=uuid4(),
            provider_organisation_id=data.provider_organisation_id,
            title=data.title,
            description=data.description,
            categories=frozenset(data.categories),
            wijk_ids=frozenset(data.wijk_ids),
            municipality_code=data.municipality_code,
            capacity=data.capacity,
            available=data.available,
            contact_route=data.contact_route,
            archived_at=None,
            version=1,
            created_at=now,
            updated_at=now,
            volunteer_resident_id=data.volunteer_resident_id,
        )
    )
    await _check_wijken(uow, scope, offer.wijk_ids)
    enforce(can_manage_offer(scope, None, offer.reach), NOT_FOUND)
    if offer.volunteer_resident_id is not None:
        await _check_volunteer(uow, scope, offer)
    offer = replace(offer, provider_name=await _provider_name(uow, data.provider_organisation_id))
    await uow.offers.add(offer)
    if offer.volunteer_resident_id is not None:
        await uow.residents.touch_activity(offer.volunteer_resident_id, now)
        await uow.audit.append(
            [
                audit_event(
                    Actor(scope.principal, request_id), AuditAction.create, offer.volunteer_resident_id, now,
                    record_kind=RecordKind.offer, record_id=offer.id, fields=("volunteerResidentId",),
                    purpose="volunteers an offer",
                )
            ]
        )
    await uow.commit()
    return offer


async def get_offer(uow: UnitOfWork, scope: Scope, offer_id: UUID) -> Offer:
    """Read one offer in scope (archived offers stay readable: referrals may point at them)."""
    offer = await uow.offers.get(offer_id)
    if offer is None:
        raise NotFound(NOT_FOUND)
    enforce(can_read_offer(scope, offer.reach), NOT_FOUND)
    return offer


async def list_offers(uow: UnitOfWork, scope: Scope, page: PageRequest, filters: OfferFilter) -> Page[Offer]:
    """The offers in scope, by title; filter by category, wijk served, availability, provider."""
    return await uow.offers.list(scope, page, filters)


async def update_offer(
    uow: UnitOfWork,
    scope: Scope,
    offer_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Offer:
    """Change an offer: its text, categories, area served, capacity or availability."""
    current = await get_offer(uow, scope, offer_id)
    if current.archived_at is not None:
        raise Conflict("the offer is archived")
    changes = dict(changes)
    for name in ("categories", "wijk_ids"):
        if name in changes:
            changes[name] = frozenset(changes[name] or ())
    candidate = check_offer(replace(current, **changes))
    enforce(can_manage_offer(scope, current.reach, None), NOT_FOUND)
    await _check_wijken(uow, scope, candidate.wijk_ids - current.wijk_ids)
    enforce(can_manage_offer(scope, current.reach, candidate.reach), NOT_FOUND)
    if candidate.provider_organisation_id != current.provider_organisation_id:
        assert candidate.provider_organisation_id is not None
        candidate = replace(
            candidate, provider_name=await _provider_name(uow, candidate.provider_organisation_id)
        )
    updated = await uow.offers.save(candidate, expected_version, now)
    await uow.commit()
    return updated


async def archive_offer(
    uow: UnitOfWork, scope: Scope, offer_id: UUID, expected_version: int, now: datetime
) -> None:
    """Take an offer out of the catalogue; it stays readable for the referrals that used it."""
    current = await get_offer(uow, scope, offer_id)
    enforce(can_manage_offer(scope, current.reach, None), NOT_FOUND)
    if current.archived_at is not None:
        raise Conflict("the offer is already archived")
    await uow.offers.save(replace(current, archived_at=now, available=False), expected_version, now)
    await uow.commit()
