"""Consent: a resident's permission for one receiving organisation to see part of their data.

A consent names the receiving organisation (an agency or a welfare organisation that helps
itself), what it covers (`identity`, `contact_details`, `need_description`), the purpose, how it
was given (spoken or written), who recorded it and when it was given. It is never edited: it is
withdrawn (`withdrawn_at`), and a new one is recorded when the resident agrees again.

Nothing is cached: every request that relies on a consent asks `valid_consent` / `consented_scope`
at that moment, so a withdrawal cuts access from the very next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from domain.audit import Access, AuditAction, RecordKind, audit_event
from domain.errors import Conflict, InvalidInput, NotFound
from domain.free_text import ensure_no_personal_data
from domain.identity import ROLE_ORGANISATION_KINDS, Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.residents import (
    CONTACT_FIELDS,
    IDENTITY_FIELDS,
    Address,
    Resident,
    can_read_shared_resident,
    can_write_resident,
    has_control_characters,
    reachable_resident,
)
from domain.scope import enforce

NOT_FOUND = "consent not found"
MAX_PURPOSE = 500
# A client's clock may run a little ahead of ours; a consent given "now" is not refused for that.
CLOCK_SKEW = timedelta(minutes=5)
CONSENT_FIELDS = ("organisationId", "purpose", "scope", "givenHow", "givenAt")


class ConsentScope(StrEnum):
    """What a consent lets the receiving organisation see."""

    identity = "identity"  # names and address
    contact_details = "contact_details"  # phone and e-mail
    need_description = "need_description"  # the description of the need referred (referrals)


class ConsentForm(StrEnum):
    """How the resident gave the consent."""

    spoken = "spoken"
    written = "written"


SCOPE_FIELDS: dict[ConsentScope, tuple[str, ...]] = {
    ConsentScope.identity: IDENTITY_FIELDS,
    ConsentScope.contact_details: CONTACT_FIELDS,
    ConsentScope.need_description: ("needDescription",),
}


@dataclass(frozen=True)
class Consent:
    id: UUID
    resident_id: UUID
    organisation_id: UUID
    scope: frozenset[ConsentScope]
    purpose: str | None  # removed when the resident is erased
    given_how: ConsentForm
    given_at: datetime
    recorded_by_id: UUID
    recorded_by_organisation_id: UUID
    withdrawn_at: datetime | None
    withdrawn_by_id: UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
    organisation_name: str = ""  # read with the consent

    def covers(self, organisation_id: UUID, item: ConsentScope, at: datetime) -> bool:
        """Valid at `at` for `organisation_id` and covering `item`: given by then, not yet withdrawn."""
        return (
            self.organisation_id == organisation_id
            and item in self.scope
            and self.given_at <= at
            and (self.withdrawn_at is None or self.withdrawn_at > at)
        )


@dataclass(frozen=True)
class NewConsent:
    organisation_id: UUID
    scope: frozenset[ConsentScope]
    purpose: str
    given_how: ConsentForm
    given_at: datetime | None = None


def consented_items(consents: Iterable[Consent], organisation_id: UUID, at: datetime) -> dict[ConsentScope, Consent]:
    """Per scope item, a consent valid at `at` that covers it for `organisation_id`."""
    found: dict[ConsentScope, Consent] = {}
    for consent in consents:
        for item in ConsentScope:
            if item not in found and consent.covers(organisation_id, item, at):
                found[item] = consent
    return found


async def valid_consent(
    uow: UnitOfWork, resident_id: UUID, organisation_id: UUID, item: ConsentScope, at: datetime
) -> Consent | None:
    """A consent of the resident valid at `at` that lets `organisation_id` see `item`, if any.

    The one question referrals (and anything else that shares) ask before sharing; never cached."""
    return consented_items(await uow.consents.of_resident(resident_id), organisation_id, at).get(item)


async def consented_scope(
    uow: UnitOfWork, resident_id: UUID, organisation_id: UUID, at: datetime
) -> dict[ConsentScope, Consent]:
    """Everything `organisation_id` may see of the resident at `at`, with the consent behind each item."""
    return consented_items(await uow.consents.of_resident(resident_id), organisation_id, at)


# --- recording and withdrawing -----------------------------------------------------------------


async def _receiving_organisation(uow: UnitOfWork, organisation_id: UUID) -> str:
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise InvalidInput.field("organisationId", "no such organisation", code="unknown_reference")
    # Only agencies see residents under consent; consent for anyone else would be a dead letter.
    if organisation.kind not in ROLE_ORGANISATION_KINDS[Role.agency_worker]:
        raise InvalidInput.field(
            "organisationId",
            f"consent is given to an agency (instantie) or a welfare organisation, not a {organisation.kind.value}",
            code="organisation_kind",
        )
    if not organisation.active:
        raise InvalidInput.field("organisationId", "the organisation is deactivated", code="inactive_reference")
    return organisation.name


async def record_consent(
    uow: UnitOfWork, access: Access, resident_id: UUID, data: NewConsent, now: datetime
) -> Consent:
    """A koppel member of the resident's wijk records the consent the resident gave."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id, can_write_resident)
    if not data.scope:
        raise InvalidInput.field("scope", "name at least one of identity, contact_details, need_description", code="required")
    purpose = " ".join(data.purpose.split())
    if has_control_characters(purpose):
        raise InvalidInput.field("purpose", "must not contain control characters", code="control_characters")
    if not purpose:
        raise InvalidInput.field("purpose", "say what the organisation may use it for", code="required")
    if len(purpose) > MAX_PURPOSE:
        raise InvalidInput.field("purpose", f"at most {MAX_PURPOSE} characters", code="too_long")
    # The purpose travels to the receiving organisation: it names a purpose, not the resident.
    ensure_no_personal_data({"purpose": purpose})
    given_at = data.given_at or now
    if given_at > now + CLOCK_SKEW:
        raise InvalidInput.field("givenAt", "a consent cannot be given in the future", code="future")
    consent = Consent(
        id=uuid4(),
        resident_id=resident.id,
        organisation_id=data.organisation_id,
        scope=frozenset(data.scope),
        purpose=purpose,
        given_how=data.given_how,
        given_at=min(given_at, now),
        recorded_by_id=scope.principal.id,
        recorded_by_organisation_id=scope.organisation_id,
        withdrawn_at=None,
        withdrawn_by_id=None,
        version=1,
        created_at=now,
        updated_at=now,
        organisation_name=await _receiving_organisation(uow, data.organisation_id),
    )
    await uow.consents.add(consent)
    await uow.residents.touch_activity(resident.id, now)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.create, resident.id, now,
                record_kind=RecordKind.consent, record_id=consent.id, fields=CONSENT_FIELDS,
            )
        ]
    )
    await uow.commit()
    return consent


async def _consent(uow: UnitOfWork, resident: Resident, consent_id: UUID) -> Consent:
    consent = await uow.consents.get(consent_id)
    if consent is None or consent.resident_id != resident.id:
        raise NotFound(NOT_FOUND)
    return consent


def _read_events(access: Access, resident: Resident, consents: Iterable[Consent], now: datetime) -> list:  # type: ignore[type-arg]
    return [
        audit_event(
            access.actor, AuditAction.read, resident.id, now,
            record_kind=RecordKind.consent, record_id=c.id, fields=CONSENT_FIELDS,
        )
        for c in consents
    ]


async def list_consents(
    uow: UnitOfWork, access: Access, resident_id: UUID, page: PageRequest, now: datetime
) -> Page[Consent]:
    """Every consent of the resident, current and withdrawn, by when it was given."""
    resident = await reachable_resident(uow, access.scope, resident_id)
    result = await uow.consents.list(resident.id, page)
    if result.items:
        await uow.audit.append(_read_events(access, resident, result.items, now))
        await uow.commit()
    return result


async def get_consent(uow: UnitOfWork, access: Access, resident_id: UUID, consent_id: UUID, now: datetime) -> Consent:
    """Read one consent of a resident in the caller's wijken."""
    resident = await reachable_resident(uow, access.scope, resident_id)
    consent = await _consent(uow, resident, consent_id)
    await uow.audit.append(_read_events(access, resident, [consent], now))
    await uow.commit()
    return consent


async def withdraw_consent(
    uow: UnitOfWork, access: Access, resident_id: UUID, consent_id: UUID, now: datetime
) -> Consent:
    """The resident withdraws: from this instant no request relies on the consent any more. No
    If-Match: a withdrawal must never lose a race against an unrelated change."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id, can_write_resident)
    consent = await _consent(uow, resident, consent_id)
    if consent.withdrawn_at is not None:
        raise Conflict(f"the consent was already withdrawn at {consent.withdrawn_at.isoformat()}")
    withdrawn = await uow.consents.withdraw(consent.id, scope.principal.id, now)
    if withdrawn is None:  # withdrawn by someone else a moment ago
        raise Conflict("the consent was already withdrawn")
    await uow.residents.touch_activity(resident.id, now)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.consent_withdrawn, resident.id, now,
                record_kind=RecordKind.consent, record_id=consent.id, fields=["withdrawnAt"],
            )
        ]
    )
    await uow.commit()
    return replace(withdrawn, organisation_name=consent.organisation_name)


# --- what an agency sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class SharedResident:
    """A resident as an agency sees them: only what valid consents cover, nothing else."""

    id: UUID
    scope: frozenset[ConsentScope]
    consent_ids: tuple[UUID, ...]
    given_name: str | None = None
    family_name: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None


def shared_view(resident: Resident, items: Mapping[ConsentScope, Consent]) -> SharedResident:
    """What the consents in `items` (per scope item, as `consented_items` gives them) let an agency
    see of the resident: identity and contact details only when covered, nothing else."""
    shared = SharedResident(
        id=resident.id,
        scope=frozenset(items),
        consent_ids=tuple(sorted({c.id for c in items.values()}, key=str)),
    )
    if ConsentScope.identity in items:
        shared = replace(
            shared, given_name=resident.given_name, family_name=resident.family_name, address=resident.address
        )
    if ConsentScope.contact_details in items:
        shared = replace(shared, phone=resident.phone, email=resident.email)
    return shared


def shared_fields(items: Iterable[ConsentScope]) -> list[str]:
    """The resident's fields an agency sees under these scope items (what its audit event names)."""
    return [f for item in items for f in SCOPE_FIELDS[item] if f != "needDescription"]


async def read_shared_resident(uow: UnitOfWork, access: Access, resident_id: UUID, now: datetime) -> SharedResident:
    """What the caller's agency may see of a resident right now, under valid consent; 404 without one."""
    scope = access.scope
    resident = await uow.residents.get(resident_id)
    if resident is None or resident.anonymised:
        raise NotFound("resident not found")
    items = await consented_scope(uow, resident.id, scope.organisation_id, now)
    enforce(can_read_shared_resident(scope, resident.reach, bool(items)), "resident not found")
    shared = shared_view(resident, items)
    fields = shared_fields(items)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.read, resident.id, now,
                fields=fields, purpose="under consent " + ", ".join(str(i) for i in shared.consent_ids),
            )
        ]
    )
    await uow.commit()
    return shared
