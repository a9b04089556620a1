"""Referrals on the wire: the koppel's full view, the receiving agency's consented view, the status
history and the due follow-ups (nazorg)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas.casework import ActorRead, Reason, sorted_ids
from api.schemas.common import ApiInput, ApiModel, ApiPatch, PageOf
from api.schemas.residents import SharedResidentRead
from domain.casework import Priority
from domain.categories import NeedCategory
from domain.referrals import MAX_NOTE, AgencyView, FollowUp, Referral, ReferralStatus, ReferralStatusChange

Note = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_NOTE,
        description="For the agency. It may not contain a BSN, phone number, e-mail address or postcode with house "
        "number: who the resident is reaches the agency only through consent.",
        examples=["Graag contact in de ochtend; mevrouw spreekt ook Arabisch."],
    ),
]
FLOW = (
    "voorgesteld → aangemeld | ingetrokken (koppel); aangemeld → in_behandeling | afgewezen (agency) | ingetrokken "
    "(koppel); in_behandeling → afgerond (agency) | ingetrokken (koppel). afgewezen, afgerond and ingetrokken are final."
)


class ReferralCreate(ApiInput):
    need_id: UUID = Field(description="A need in your wijken.")
    offer_id: UUID = Field(description="An offer serving the need's wijk in a fitting category.")
    note: Note | None = None
    resident_ids: list[UUID] | None = Field(
        default=None,
        max_length=2,
        description="Only for a neighbour mediation (need category burenconflict): exactly the two residents.",
    )


class ReferralUpdate(ApiPatch):
    nullable = frozenset({"note", "followed_up_on"})

    note: Note | None = Field(default=None, description="While the referral is open; null removes it.")
    follow_up_on: date | None = Field(default=None, description="Plan the nazorg: today or later.")
    followed_up_on: date | None = Field(
        default=None, description="The day the koppel checked back (ends the follow-up); null reopens it."
    )


class ReferralStatusChangeCreate(ApiInput):
    to: ReferralStatus = Field(description=FLOW)
    reason: Reason | None = Field(default=None, description="Required for afgewezen (why the agency refuses).")
    follow_up_on: date | None = Field(
        default=None, description="Only with aangemeld: the nazorg date (default 14 days after sending)."
    )


class ReferralRead(ApiModel):
    """The koppel's view of a referral."""

    id: UUID
    need_id: UUID
    offer_id: UUID
    offer_title: str
    organisation_id: UUID = Field(description="The receiving agency: the offer's provider.")
    organisation_name: str
    wijk_id: UUID
    koppel_id: UUID
    category: NeedCategory
    mediation: bool = Field(description="A neighbour mediation between two residents.")
    resident_ids: list[UUID]
    status: ReferralStatus
    note: str | None
    rejection_reason: str | None
    withdrawal_reason: str | None
    follow_up_on: date = Field(description="Nazorg: when the koppel checks back.")
    followed_up_on: date | None
    holds_place: bool = Field(description="The referral holds one of the offer's places.")
    registered_at: datetime | None = Field(description="When it was sent (aangemeld).")
    closed_at: datetime | None
    redacted_at: datetime | None = Field(description="When an erasure removed its texts.")
    proposed_by: ActorRead
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Referral) -> ReferralRead:
        return cls(
            id=r.id,
            need_id=r.need_id,
            offer_id=r.offer_id,
            offer_title=r.offer_title,
            organisation_id=r.organisation_id,
            organisation_name=r.organisation_name,
            wijk_id=r.wijk_id,
            koppel_id=r.koppel_id,
            category=r.category,
            mediation=r.mediation,
            resident_ids=sorted_ids(r.resident_ids),
            status=r.status,
            note=r.note,
            rejection_reason=r.rejection_reason,
            withdrawal_reason=r.withdrawal_reason,
            follow_up_on=r.follow_up_on,
            followed_up_on=r.followed_up_on,
            holds_place=r.holds_place,
            registered_at=r.registered_at,
            closed_at=r.closed_at,
            redacted_at=r.redacted_at,
            proposed_by=ActorRead.of(r.proposed_by),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class ReferralAgencyRead(ApiModel):
    """What the receiving agency sees: the referral, the need's category and urgency, the koppel's
    note, the need's description only when every resident's consent covers it, and per resident
    exactly what their consent covers — nothing of the koppel's own record."""

    id: UUID
    offer_id: UUID
    offer_title: str
    category: NeedCategory
    urgency: Priority | None
    mediation: bool
    status: ReferralStatus
    note: str | None
    need_description: str | None = Field(description="Only when every resident's consent covers need_description.")
    rejection_reason: str | None
    residents: list[SharedResidentRead] = Field(description="Per resident, what their consent covers.")
    registered_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, v: AgencyView) -> ReferralAgencyRead:
        r = v.referral
        return cls(
            id=r.id,
            offer_id=r.offer_id,
            offer_title=r.offer_title,
            category=r.category,
            urgency=r.need_urgency,
            mediation=r.mediation,
            status=r.status,
            note=r.note,
            need_description=v.need_description,
            rejection_reason=r.rejection_reason,
            residents=[SharedResidentRead.of(s) for s in v.residents],
            registered_at=r.registered_at,
            closed_at=r.closed_at,
        )


def referral_view(view: Referral | AgencyView) -> ReferralRead | ReferralAgencyRead:
    """The response model for the caller's view."""
    return ReferralAgencyRead.of(view) if isinstance(view, AgencyView) else ReferralRead.of(view)


class ReferralPage(PageOf[ReferralRead | ReferralAgencyRead]):
    """A page of referrals: ReferralRead for koppel members, ReferralAgencyRead for the receiving agency."""


class ReferralStatusChangeRead(ApiModel):
    id: UUID
    referral_id: UUID
    from_status: ReferralStatus | None = Field(description="null: the referral was proposed.")
    to_status: ReferralStatus
    reason: str | None
    changed_by: ActorRead | None = Field(description="null: the service itself (an erasure withdrew it).")
    changed_at: datetime

    @classmethod
    def of(cls, c: ReferralStatusChange) -> ReferralStatusChangeRead:
        return cls(
            id=c.id,
            referral_id=c.referral_id,
            from_status=c.from_status,
            to_status=c.to_status,
            reason=c.reason,
            changed_by=ActorRead.of(c.actor) if c.actor else None,
            changed_at=c.changed_at,
        )


class FollowUpRead(ApiModel):
    """A referral whose nazorg is due; no resident is named here."""

    referral_id: UUID
    need_id: UUID
    wijk_id: UUID
    category: NeedCategory
    offer_title: str
    organisation_name: str
    status: ReferralStatus
    follow_up_on: date
    overdue: bool = Field(description="The follow-up date has passed.")

    @classmethod
    def of(cls, f: FollowUp) -> FollowUpRead:
        r = f.referral
        return cls(
            referral_id=r.id,
            need_id=r.need_id,
            wijk_id=r.wijk_id,
            category=r.category,
            offer_title=r.offer_title,
            organisation_name=r.organisation_name,
            status=r.status,
            follow_up_on=r.follow_up_on,
            overdue=f.overdue,
        )


class FollowUpPage(PageOf[FollowUpRead]):
    """Due and overdue follow-ups of a koppel, earliest first."""

