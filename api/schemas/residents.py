"""Residents, notes, consents, the resident's rights and the audit trail on the wire.

Every view is purpose-built: the koppel's full resident, a shorter one in search results, the
agency's consented view (only the consented parts, with the scope that allowed them), the export
for the resident's access request, and audit events that name fields but carry no values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, ApiPatch, write_json
from domain.audit import ActorKind, AuditAction, AuditEvent, RecordKind
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.consents import Consent, ConsentForm, ConsentScope, SharedResident
from domain.contact_moments import ContactKind, ContactMoment
from domain.identity import Role
from domain.needs import Need
from domain.notes import Note, NoteCategory, NoteRevision
from domain.offers import Offer
from domain.referrals import Referral, ReferralStatus
from domain.residents import Address, NoteVisibility, Resident
from domain.rights import AccessRecord, Erasure, ResidentExport, RetentionReport

Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Fatima"])]
Phone = Annotated[str, Field(min_length=6, max_length=32, examples=["06 1234 5678"])]
Email = Annotated[str, Field(min_length=3, max_length=254, examples=["bewoner@example.nl"])]
BirthYear = Annotated[int, Field(ge=1800, le=2200, description="Year of birth (a full date is not needed).")]
Languages = Annotated[
    list[Annotated[str, Field(min_length=2, max_length=2)]],
    Field(max_length=10, description="ISO 639-1 codes of the languages the resident speaks.", examples=[["nl", "ar"]]),
]
NoteText = Annotated[str, Field(min_length=1, max_length=10_000)]
Purpose = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description="What the organisation may use it for. It reaches the organisation, so it may not "
        "contain a phone number, e-mail, BSN or postcode with house number.",
        examples=["aanmelding bij Schuldhulpmaatje"],
    ),
]


class AddressInput(ApiInput):
    postcode: str = Field(min_length=6, max_length=7, description="Dutch postcode; stored as `1234AB`.", examples=["9401 AB"])
    huisnummer: int = Field(ge=1, le=99999)
    toevoeging: str | None = Field(default=None, max_length=6, description="Huisletter and/or toevoeging.", examples=["A"])
    nummeraanduiding_id: str | None = Field(
        default=None,
        min_length=16,
        max_length=16,
        description="BAG nummeraanduiding identification (16 digits).",
        examples=["0106200000012345"],
    )

    def domain(self) -> Address:
        return Address(self.postcode, self.huisnummer, self.toevoeging, self.nummeraanduiding_id)


class AddressRead(ApiModel):
    postcode: str
    huisnummer: int
    toevoeging: str | None
    nummeraanduiding_id: str | None


class ResidentCreate(ApiInput):
    wijk_id: UUID = Field(description="A wijk of one of your koppels.")
    given_name: Name | None = Field(default=None, description="Give at least a given name or a family name.")
    family_name: Name | None = None
    address: AddressInput | None = None
    phone: Phone | None = None
    email: Email | None = None
    birth_year: BirthYear | None = None
    is_key_figure: bool = Field(default=False, description="A sleutelfiguur who reaches a group of residents.")
    languages: Languages = Field(default_factory=list)

    def domain(self) -> dict[str, Any]:
        data = self.model_dump()
        data["address"] = self.address.domain() if self.address else None
        data["languages"] = tuple(self.languages)
        return data


class ResidentUpdate(ApiPatch):
    nullable = frozenset({"given_name", "family_name", "address", "phone", "email", "birth_year"})

    wijk_id: UUID | None = Field(default=None, description="A move to another wijk of your koppels.")
    given_name: Name | None = None
    family_name: Name | None = None
    address: AddressInput | None = Field(default=None, description="Replaces the whole address; null removes it.")
    phone: Phone | None = None
    email: Email | None = None
    birth_year: BirthYear | None = None
    is_key_figure: bool | None = None
    languages: Languages | None = None

    def domain(self) -> dict[str, Any]:
        changes = self.changes()
        if "address" in changes:
            changes["address"] = self.address.domain() if self.address else None
        if "languages" in changes:
            changes["languages"] = tuple(changes["languages"])
        return changes


def _address(address: Address | None) -> AddressRead | None:
    return AddressRead.model_validate(address) if address else None


class ResidentRead(ApiModel):
    """The resident as the koppel members of the wijk see them."""

    id: UUID
    wijk_id: UUID
    given_name: str | None
    family_name: str | None
    address: AddressRead | None
    phone: str | None
    email: str | None
    birth_year: int | None
    is_key_figure: bool
    languages: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Resident) -> ResidentRead:
        return cls(
            id=r.id,
            wijk_id=r.wijk_id,
            given_name=r.given_name,
            family_name=r.family_name,
            address=_address(r.address),
            phone=r.phone,
            email=r.email,
            birth_year=r.birth_year,
            is_key_figure=r.is_key_figure,
            languages=list(r.languages),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


def resident_json(r: Resident) -> bytes:
    """ResidentRead's JSON written straight from the resident (see common.write_json); the resident read
    is the busiest request of all. tests/unit/test_list_json.py holds it byte for byte equal."""
    address = r.address
    return write_json({
        "id": r.id,
        "wijkId": r.wijk_id,
        "givenName": r.given_name,
        "familyName": r.family_name,
        "address": {
            "postcode": address.postcode,
            "huisnummer": address.huisnummer,
            "toevoeging": address.toevoeging,
            "nummeraanduidingId": address.nummeraanduiding_id,
        }
        if address
        else None,
        "phone": r.phone,
        "email": r.email,
        "birthYear": r.birth_year,
        "isKeyFigure": r.is_key_figure,
        "languages": list(r.languages),
        "createdAt": r.created_at,
        "updatedAt": r.updated_at,
    })


class ResidentSummary(ApiModel):
    """A search result: enough to recognise the resident; contact details need a read of the resident."""

    id: UUID
    wijk_id: UUID
    given_name: str | None
    family_name: str | None
    address: AddressRead | None
    birth_year: int | None
    is_key_figure: bool

    @classmethod
    def of(cls, r: Resident) -> ResidentSummary:
        return cls(
            id=r.id,
            wijk_id=r.wijk_id,
            given_name=r.given_name,
            family_name=r.family_name,
            address=_address(r.address),
            birth_year=r.birth_year,
            is_key_figure=r.is_key_figure,
        )


class SharedResidentRead(ApiModel):
    """What an agency may see of a resident now: only the parts named in `sharedScope`; the others
    are absent (null), and nothing else of the resident is part of this view."""

    id: UUID
    shared_scope: list[ConsentScope] = Field(description="What valid consents naming your organisation cover.")
    consent_ids: list[UUID] = Field(description="The consents this view rests on.")
    given_name: str | None = Field(description="With scope `identity`.")
    family_name: str | None = Field(description="With scope `identity`.")
    address: AddressRead | None = Field(description="With scope `identity`.")
    phone: str | None = Field(description="With scope `contact_details`.")
    email: str | None = Field(description="With scope `contact_details`.")

    @classmethod
    def of(cls, s: SharedResident) -> SharedResidentRead:
        return cls(
            id=s.id,
            shared_scope=sorted(s.scope),
            consent_ids=list(s.consent_ids),
            given_name=s.given_name,
            family_name=s.family_name,
            address=_address(s.address),
            phone=s.phone,
            email=s.email,
        )


# --- notes -------------------------------------------------------------------------------------

VISIBILITY = (
    "`koppel`: every koppel member of the resident's wijk; `organisation`: staff of the author's "
    "organisation only; `author`: the author only."
)


class NoteCreate(ApiInput):
    text: NoteText
    category: NoteCategory
    visibility: NoteVisibility = Field(default=NoteVisibility.koppel, description=VISIBILITY)


class NoteUpdate(ApiPatch):
    text: NoteText | None = None
    category: NoteCategory | None = None
    visibility: NoteVisibility | None = Field(default=None, description=VISIBILITY)


class NoteRead(ApiModel):
    id: UUID
    resident_id: UUID
    author_id: UUID
    author_name: str
    author_organisation_id: UUID
    author_role: Role
    category: NoteCategory
    visibility: NoteVisibility
    text: str
    revision: int = Field(description="1 for the first version; each correction adds one.")
    retracted_at: datetime | None = Field(description="Set when the author retracted the note.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, n: Note) -> NoteRead:
        return cls.model_validate(n)


class NoteRevisionRead(ApiModel):
    """A version of a note as it was before a correction replaced it."""

    revision: int
    category: NoteCategory
    visibility: NoteVisibility
    text: str
    written_at: datetime
    replaced_at: datetime

    @classmethod
    def of(cls, r: NoteRevision) -> NoteRevisionRead:
        return cls.model_validate(r)


class NoteRevisionList(ApiModel):
    items: list[NoteRevisionRead]


# --- consents ----------------------------------------------------------------------------------


class ConsentCreate(ApiInput):
    organisation_id: UUID = Field(description="The receiving organisation: an agency or a welfare organisation.")
    scope: list[ConsentScope] = Field(min_length=1, max_length=len(ConsentScope))
    purpose: Purpose
    given_how: ConsentForm = Field(description="How the resident gave it.")
    given_at: datetime | None = Field(default=None, description="When the resident gave it; default now.")


class ConsentRead(ApiModel):
    id: UUID
    resident_id: UUID
    organisation_id: UUID
    organisation_name: str
    scope: list[ConsentScope]
    purpose: str | None
    given_how: ConsentForm
    given_at: datetime
    recorded_by_id: UUID
    recorded_by_organisation_id: UUID
    withdrawn_at: datetime | None
    withdrawn_by_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, c: Consent) -> ConsentRead:
        return cls(
            id=c.id,
            resident_id=c.resident_id,
            organisation_id=c.organisation_id,
            organisation_name=c.organisation_name,
            scope=sorted(c.scope),
            purpose=c.purpose,
            given_how=c.given_how,
            given_at=c.given_at,
            recorded_by_id=c.recorded_by_id,
            recorded_by_organisation_id=c.recorded_by_organisation_id,
            withdrawn_at=c.withdrawn_at,
            withdrawn_by_id=c.withdrawn_by_id,
            created_at=c.created_at,
        )


# --- the resident's rights ---------------------------------------------------------------------


class ExportedResident(ResidentRead):
    last_activity_at: datetime = Field(description="The retention period counts from here.")


class ExportedNote(ApiModel):
    id: UUID
    author_organisation_id: UUID
    author_role: Role
    category: NoteCategory
    visibility: NoteVisibility
    text: str
    revision: int
    retracted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    earlier_versions: list[NoteRevisionRead]


class ExportedAccess(ApiModel):
    occurred_at: datetime
    action: AuditAction
    record_kind: RecordKind
    fields: list[str]
    actor_kind: ActorKind
    actor_role: Role | None
    organisation_id: UUID | None
    organisation_name: str | None
    purpose: str | None

    @classmethod
    def of(cls, a: AccessRecord) -> ExportedAccess:
        e = a.event
        return cls(
            occurred_at=e.occurred_at,
            action=e.action,
            record_kind=e.record_kind,
            fields=list(e.fields),
            actor_kind=e.actor_kind,
            actor_role=e.actor_role,
            organisation_id=e.actor_organisation_id,
            organisation_name=a.organisation_name,
            purpose=e.purpose,
        )


class ExportedContactMoment(ApiModel):
    """A contact moment the resident was involved in; other residents involved are not named."""

    id: UUID
    wijk_id: UUID
    koppel_id: UUID
    kind: ContactKind
    occurred_at: datetime
    place: str | None
    summary: str | None

    @classmethod
    def of(cls, m: ContactMoment) -> ExportedContactMoment:
        return cls(
            id=m.id, wijk_id=m.wijk_id, koppel_id=m.koppel_id, kind=m.kind, occurred_at=m.occurred_at,
            place=m.place, summary=m.summary,
        )


class ExportedNeed(ApiModel):
    id: UUID
    wijk_id: UUID
    category: NeedCategory
    description: str | None
    urgency: Priority
    created_at: datetime

    @classmethod
    def of(cls, n: Need) -> ExportedNeed:
        return cls(
            id=n.id, wijk_id=n.wijk_id, category=n.category, description=n.description, urgency=n.urgency,
            created_at=n.created_at,
        )


class ExportedReferral(ApiModel):
    """A referral the resident is in; another party of a mediation is not named."""

    id: UUID
    need_id: UUID
    category: NeedCategory
    mediation: bool
    offer_title: str
    organisation_name: str
    status: ReferralStatus
    note: str | None
    rejection_reason: str | None
    withdrawal_reason: str | None
    follow_up_on: date
    registered_at: datetime | None
    closed_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, r: Referral) -> ExportedReferral:
        return cls(
            id=r.id, need_id=r.need_id, category=r.category, mediation=r.mediation, offer_title=r.offer_title,
            organisation_name=r.organisation_name, status=r.status, note=r.note, rejection_reason=r.rejection_reason,
            withdrawal_reason=r.withdrawal_reason, follow_up_on=r.follow_up_on, registered_at=r.registered_at,
            closed_at=r.closed_at, created_at=r.created_at,
        )


class ExportedOffer(ApiModel):
    """An offer the resident volunteers."""

    id: UUID
    title: str
    description: str
    provider_name: str
    archived_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, o: Offer) -> ExportedOffer:
        return cls(
            id=o.id, title=o.title, description=o.description, provider_name=o.provider_name,
            archived_at=o.archived_at, created_at=o.created_at,
        )


class ResidentExportRead(ApiModel):
    """Everything held on the resident and every access to it (AVG art. 15), this export included."""

    exported_at: datetime
    resident: ExportedResident
    notes: list[ExportedNote] = Field(description="Every note, whatever its visibility, retracted ones too.")
    consents: list[ConsentRead]
    contact_moments: list[ExportedContactMoment] = Field(description="Contact moments the resident was involved in.")
    needs: list[ExportedNeed] = Field(description="Needs recorded for the resident.")
    referrals: list[ExportedReferral] = Field(description="Referrals the resident is in.")
    volunteer_offers: list[ExportedOffer] = Field(description="Offers the resident volunteers.")
    accesses: list[ExportedAccess] = Field(description="Who accessed the data, oldest first (from the audit trail).")

    @classmethod
    def of(cls, x: ResidentExport) -> ResidentExportRead:
        return cls(
            exported_at=x.exported_at,
            resident=ExportedResident(**ResidentRead.of(x.resident).model_dump(), last_activity_at=x.resident.last_activity_at),
            notes=[
                ExportedNote(
                    id=r.note.id,
                    author_organisation_id=r.note.author_organisation_id,
                    author_role=r.note.author_role,
                    category=r.note.category,
                    visibility=r.note.visibility,
                    text=r.note.text,
                    revision=r.note.revision,
                    retracted_at=r.note.retracted_at,
                    created_at=r.note.created_at,
                    updated_at=r.note.updated_at,
                    earlier_versions=[NoteRevisionRead.of(v) for v in r.revisions],
                )
                for r in x.notes
            ],
            consents=[ConsentRead.of(c) for c in x.consents],
            contact_moments=[ExportedContactMoment.of(m) for m in x.contact_moments],
            needs=[ExportedNeed.of(n) for n in x.needs],
            referrals=[ExportedReferral.of(r) for r in x.referrals],
            volunteer_offers=[ExportedOffer.of(o) for o in x.volunteer_offers],
            accesses=[ExportedAccess.of(a) for a in x.accesses],
        )


class ErasureRead(ApiModel):
    resident_id: UUID
    erased_at: datetime
    already_erased: bool = Field(description="True when an earlier erasure or retention run had done it.")
    notes_removed: int
    consents_closed: int
    contact_moments_redacted: int = Field(description="Contact moments whose summary and place were removed.")
    needs_redacted: int = Field(description="Needs whose description and link to the resident were removed.")
    referrals_redacted: int = Field(
        description="Referrals whose texts and link to the resident were removed (open ones withdrawn)."
    )
    offers_archived: int = Field(description="Offers the resident volunteered, archived and unlinked.")

    @classmethod
    def of(cls, e: Erasure) -> ErasureRead:
        return cls.model_validate(e)


class RetentionRunRead(ApiModel):
    ran_at: datetime
    months: int = Field(description="Residents without activity for this many months were anonymised.")
    cutoff_at: datetime = Field(description="No activity since this instant.")
    anonymised_count: int
    anonymised_resident_ids: list[UUID]
    notes_removed: int
    consents_closed: int

    @classmethod
    def of(cls, r: RetentionReport) -> RetentionRunRead:
        return cls(
            ran_at=r.ran_at,
            months=r.months,
            cutoff_at=r.cutoff,
            anonymised_count=len(r.anonymised),
            anonymised_resident_ids=list(r.anonymised),
            notes_removed=r.notes_removed,
            consents_closed=r.consents_closed,
        )


class AuditEventRead(ApiModel):
    id: UUID
    occurred_at: datetime
    actor_kind: ActorKind
    actor_id: UUID | None
    actor_role: Role | None
    actor_organisation_id: UUID | None
    action: AuditAction
    resident_id: UUID
    record_kind: RecordKind
    record_id: UUID
    fields: list[str] = Field(description="Names of the fields touched; never their values.")
    purpose: str | None
    request_id: str | None

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventRead:
        return cls(**{**e.__dict__, "fields": list(e.fields)})
