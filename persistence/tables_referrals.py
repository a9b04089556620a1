"""Tables for the koppel's contacts and for vraag ↔ aanbod: contact moments (with the residents
involved), needs, referrals (with their residents and status history). On the shared metadata
(persistence.tables imports this module), so the naming convention applies and migrations, the
schema-drift test and the test wiper see them.

Which columns hold personal values matters for erasure (domain.rights): the links to residents
(`contact_moment_resident`, `referral_resident`), `contact_moment.summary` and `.place`,
`need.description` and `need.resident_id`, `referral.note`, `.rejection_reason`,
`.withdrawal_reason` and `referral_status_change.reason`. Erasure empties them for the erased
resident's records and stamps `redacted_at`; kind, category, wijk, status and dates stay for
statistics.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from persistence.tables import instant

# --- contact moments ---------------------------------------------------------------------------


class ContactMomentRow(SQLModel, table=True):
    __tablename__ = "contact_moment"

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    koppel_id: UUID = Field(foreign_key="koppel.id")
    kind: str = Field(max_length=16)
    occurred_at: datetime = Field(sa_column=instant())
    place: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    redacted_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    recorded_by_user_id: UUID = Field(foreign_key="user_account.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ContactMomentResidentRow(SQLModel, table=True):
    __tablename__ = "contact_moment_resident"

    contact_moment_id: UUID = Field(foreign_key="contact_moment.id", primary_key=True)
    resident_id: UUID = Field(foreign_key="resident.id", primary_key=True)


# --- needs and referrals -----------------------------------------------------------------------


class NeedRow(SQLModel, table=True):
    __tablename__ = "need"

    id: UUID = Field(primary_key=True)
    wijk_id: UUID = Field(foreign_key="wijk.id")
    koppel_id: UUID = Field(foreign_key="koppel.id")
    resident_id: UUID | None = Field(default=None, foreign_key="resident.id")
    category: str = Field(max_length=32)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    urgency: str = Field(max_length=16)
    redacted_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    recorded_by_user_id: UUID = Field(foreign_key="user_account.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ReferralRow(SQLModel, table=True):
    __tablename__ = "referral"
    __table_args__ = (
        # A place is held only while the referral is open (domain.referrals: taken at aangemeld).
        CheckConstraint(
            "NOT holds_place OR status IN ('aangemeld', 'in_behandeling')", name="place_only_while_open"
        ),
    )

    id: UUID = Field(primary_key=True)
    need_id: UUID = Field(foreign_key="need.id")
    offer_id: UUID = Field(foreign_key="offer.id")
    # The offer's provider when the referral was proposed: the agency that receives it.
    organisation_id: UUID = Field(foreign_key="organisation.id")
    wijk_id: UUID = Field(foreign_key="wijk.id")
    koppel_id: UUID = Field(foreign_key="koppel.id")
    category: str = Field(max_length=32)
    mediation: bool = False
    status: str = Field(max_length=16)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rejection_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    withdrawal_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    follow_up_on: date
    followed_up_on: date | None = None
    holds_place: bool = False
    registered_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    redacted_at: datetime | None = Field(default=None, sa_column=instant(nullable=True))
    proposed_by_user_id: UUID = Field(foreign_key="user_account.id")
    version: int = 1
    created_at: datetime = Field(sa_column=instant())
    updated_at: datetime = Field(sa_column=instant())


class ReferralResidentRow(SQLModel, table=True):
    __tablename__ = "referral_resident"

    referral_id: UUID = Field(foreign_key="referral.id", primary_key=True)
    resident_id: UUID = Field(foreign_key="resident.id", primary_key=True)


class ReferralStatusChangeRow(SQLModel, table=True):
    """One move of a referral; no user when the service itself moved it (an erasure or retention run)."""

    __tablename__ = "referral_status_change"
    __table_args__ = (UniqueConstraint("referral_id", "at_version"),)

    id: UUID = Field(primary_key=True)
    referral_id: UUID = Field(foreign_key="referral.id")
    at_version: int
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    changed_by_user_id: UUID | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = Field(sa_column=instant())


# Indexes for the scoped lists (keyset order: instant, id), the per-resident lookups (export,
# erasure, filters), the follow-up list and the statistics (wijk + instant).
# The wijk + instant indexes carry what the statistics count by (PostgreSQL: index-only scans; 0008).
Index(
    "ix_contact_moment_wijk_id_occurred_at_id",
    ContactMomentRow.wijk_id,  # type: ignore[arg-type]
    ContactMomentRow.occurred_at,  # type: ignore[arg-type]
    ContactMomentRow.id,  # type: ignore[arg-type]
    postgresql_include=["kind"],
)
# A koppel's page of one kind of contact moment, or of one koppel's moments, in keyset order (0012).
Index(
    "ix_contact_moment_wijk_id_kind_occurred_at_id",
    ContactMomentRow.wijk_id,  # type: ignore[arg-type]
    ContactMomentRow.kind,  # type: ignore[arg-type]
    ContactMomentRow.occurred_at,  # type: ignore[arg-type]
    ContactMomentRow.id,  # type: ignore[arg-type]
)
Index(
    "ix_contact_moment_koppel_id_wijk_id_occurred_at_id",
    ContactMomentRow.koppel_id,  # type: ignore[arg-type]
    ContactMomentRow.wijk_id,  # type: ignore[arg-type]
    ContactMomentRow.occurred_at,  # type: ignore[arg-type]
    ContactMomentRow.id,  # type: ignore[arg-type]
)
Index("ix_contact_moment_resident_resident_id", ContactMomentResidentRow.resident_id)  # type: ignore[arg-type]
Index("ix_need_wijk_id_created_at_id", NeedRow.wijk_id, NeedRow.created_at, NeedRow.id)  # type: ignore[arg-type]
Index("ix_need_resident_id", NeedRow.resident_id)  # type: ignore[arg-type]
Index(
    "ix_referral_wijk_id_created_at_id",
    ReferralRow.wijk_id,  # type: ignore[arg-type]
    ReferralRow.created_at,  # type: ignore[arg-type]
    ReferralRow.id,  # type: ignore[arg-type]
    postgresql_include=["status", "follow_up_on", "followed_up_on"],
)
Index("ix_referral_organisation_id_created_at_id", ReferralRow.organisation_id, ReferralRow.created_at, ReferralRow.id)  # type: ignore[arg-type]
Index("ix_referral_koppel_id_follow_up_on", ReferralRow.koppel_id, ReferralRow.follow_up_on)  # type: ignore[arg-type]
Index("ix_referral_need_id", ReferralRow.need_id)  # type: ignore[arg-type]
Index("ix_referral_offer_id", ReferralRow.offer_id)  # type: ignore[arg-type]
Index("ix_referral_resident_resident_id", ReferralResidentRow.resident_id)  # type: ignore[arg-type]
