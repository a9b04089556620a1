"""The resident's rights: access (AVG art. 15), erasure (art. 17) and retention (art. 5(1)(e)).

Export: one call gives everything held on a resident — identity, every note whatever its visibility
(retracted ones and earlier versions included), every consent — and who accessed it, when and how
(the audit trail, this export included), and the koppel's records that name the resident: the
contact moments they were involved in, the needs recorded for them, the referrals they are in and the
offers they volunteer. Each section is a plain list filled by one repository call,
and the export's audit event names the sections it disclosed.

Erasure and anonymisation remove every personal value and keep an anonymous row for statistics:
the wijk, the key-figure flag, the birth decade, and the instants of creation and anonymisation.
Notes and their revisions are deleted; consents keep only their skeleton (organisation, scope, how,
when) as proof that past sharing was lawful, with the purpose removed and an end date set. The audit
trail stays as it is: it holds identifiers and field names, no values. Contact moments that involved
the resident lose their summary and place (free text that may mention them) and the link to the
resident; their kind, koppel, wijk and instant stay for statistics. Needs lose their description and
the link to the resident (category and urgency stay); their open referrals are withdrawn by the
service (places go back) and every referral of theirs loses its note, reasons and link to them; offers
the resident volunteered are archived and unlinked. Both are idempotent.

Retention: residents without activity (their own create/update, or a note or consent written,
corrected, retracted or withdrawn) for the configured number of months are anonymised.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.audit import Access, Actor, AuditAction, AuditEvent, audit_event
from domain.consents import Consent
from domain.contact_moments import ContactMoment
from domain.errors import InvalidInput, NotFound
from domain.identity import Role
from domain.needs import Need
from domain.notes import Note, NoteRevision
from domain.offers import Offer
from domain.ports import UnitOfWork
from domain.referrals import Referral, withdraw_for_erasure
from domain.residents import NOT_FOUND, Resident, can_exercise_rights
from domain.scope import ALLOWED, Decision, Outcome, Scope, enforce

EXPORT_SECTIONS = (
    "resident", "notes", "consents", "contactMoments", "needs", "referrals", "volunteerOffers", "accesses",
)
ERASED_FIELDS = (
    "address", "birthYear", "contactMoments", "email", "familyName", "givenName", "languages", "needs", "notes",
    "phone", "referrals", "volunteerOffers",
)
RETENTION_BATCH = 200
MIN_RETENTION_MONTHS = 1
MAX_RETENTION_MONTHS = 240


class AnonymisedBecause(StrEnum):
    erasure = "erasure"
    retention = "retention"


@dataclass(frozen=True)
class NoteRecord:
    note: Note
    revisions: tuple[NoteRevision, ...]


@dataclass(frozen=True)
class AccessRecord:
    """One access to the resident's data, as the resident is told about it: which organisation, in
    which role, did what, when — not which colleague (the organisation is the recipient)."""

    event: AuditEvent
    organisation_name: str | None


@dataclass(frozen=True)
class ResidentExport:
    exported_at: datetime
    resident: Resident
    notes: tuple[NoteRecord, ...]
    consents: tuple[Consent, ...]
    accesses: tuple[AccessRecord, ...]
    contact_moments: tuple[ContactMoment, ...] = ()
    needs: tuple[Need, ...] = ()
    referrals: tuple[Referral, ...] = ()
    volunteer_offers: tuple[Offer, ...] = ()


@dataclass(frozen=True)
class Erasure:
    resident_id: UUID
    erased_at: datetime
    already_erased: bool
    notes_removed: int
    consents_closed: int
    contact_moments_redacted: int = 0
    needs_redacted: int = 0
    referrals_redacted: int = 0
    offers_archived: int = 0


@dataclass(frozen=True)
class Anonymised:
    notes_removed: int
    consents_closed: int
    contact_moments_redacted: int = 0
    needs_redacted: int = 0
    referrals_redacted: int = 0
    offers_archived: int = 0


async def export_resident(uow: UnitOfWork, access: Access, resident_id: UUID, now: datetime) -> ResidentExport:
    """Everything held on the resident and every access to it; the export itself is the last access."""
    resident = await uow.residents.get(resident_id)
    if resident is None or resident.anonymised:
        raise NotFound(NOT_FOUND)
    enforce(can_exercise_rights(access.scope, resident.reach), NOT_FOUND)
    notes = await uow.notes.of_resident(resident.id)
    revisions = await uow.notes.revisions_of_resident(resident.id)
    consents = await uow.consents.of_resident(resident.id)
    contact_moments = await uow.contact_moments.of_resident(resident.id)
    needs = await uow.needs.of_resident(resident.id)
    referrals = await uow.referrals.of_resident(resident.id)
    volunteer_offers = await uow.offers.of_volunteer(resident.id)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.export, resident.id, now,
                fields=EXPORT_SECTIONS, purpose="access request (AVG art. 15)",
            )
        ]
    )
    events = await uow.audit.of_resident(resident.id)
    names: dict[UUID, str] = {}
    for organisation_id in {e.actor_organisation_id for e in events if e.actor_organisation_id}:
        organisation = await uow.organisations.get(organisation_id)
        if organisation is not None:
            names[organisation_id] = organisation.name
    await uow.commit()
    return ResidentExport(
        exported_at=now,
        resident=resident,
        notes=tuple(NoteRecord(n, tuple(r for r in revisions if r.note_id == n.id)) for n in notes),
        consents=tuple(consents),
        contact_moments=tuple(contact_moments),
        needs=tuple(needs),
        referrals=tuple(referrals),
        volunteer_offers=tuple(volunteer_offers),
        accesses=tuple(
            AccessRecord(e, names.get(e.actor_organisation_id) if e.actor_organisation_id else None) for e in events
        ),
    )


async def anonymise(
    uow: UnitOfWork,
    actor: Actor,
    resident_id: UUID,
    because: AnonymisedBecause,
    now: datetime,
    *,
    inactive_before: datetime | None = None,
    purpose: str,
) -> Anonymised | None:
    """Remove every personal value of one resident in the caller's transaction, with its audit event;
    None when it was already anonymised (or, for retention, became active again meanwhile)."""
    claimed = await uow.residents.anonymise(resident_id, because.value, now, inactive_before=inactive_before)
    if not claimed:
        return None
    notes_removed = await uow.notes.remove_all_of(resident_id)
    consents_closed = await uow.consents.strip_all_of(resident_id, now)
    contact_moments_redacted = await uow.contact_moments.redact_resident(resident_id, now)
    needs_redacted = await uow.needs.redact_resident(resident_id, now)
    referrals_redacted = await withdraw_for_erasure(uow, resident_id, now)
    offers_archived = await uow.offers.release_volunteer(resident_id, now)
    action = AuditAction.erase if because is AnonymisedBecause.erasure else AuditAction.anonymise
    await uow.audit.append(
        [
            audit_event(
                actor, action, resident_id, now,
                fields=ERASED_FIELDS,
                purpose=purpose,
            )
        ]
    )
    return Anonymised(
        notes_removed, consents_closed, contact_moments_redacted, needs_redacted, referrals_redacted, offers_archived
    )


async def erase_resident(uow: UnitOfWork, access: Access, resident_id: UUID, now: datetime) -> Erasure:
    """Erase a resident on their request; asking again reports the earlier erasure and changes nothing."""
    resident = await uow.residents.get(resident_id)
    if resident is None:
        raise NotFound(NOT_FOUND)
    enforce(can_exercise_rights(access.scope, resident.reach), NOT_FOUND)
    if resident.anonymised_at is not None:
        return Erasure(resident.id, resident.anonymised_at, True, 0, 0)
    done = await anonymise(
        uow, access.actor, resident.id, AnonymisedBecause.erasure, now, purpose="erasure request (AVG art. 17)"
    )
    await uow.commit()
    if done is None:  # a concurrent erasure or retention run came first
        current = await uow.residents.get(resident.id)
        assert current is not None and current.anonymised_at is not None
        return Erasure(resident.id, current.anonymised_at, True, 0, 0)
    return Erasure(
        resident.id, now, False, done.notes_removed, done.consents_closed, done.contact_moments_redacted,
        done.needs_redacted, done.referrals_redacted, done.offers_archived,
    )


# --- retention ---------------------------------------------------------------------------------


def months_before(instant: datetime, months: int) -> datetime:
    """The same wall-clock instant `months` calendar months earlier (31 March − 1 month = 28/29 Feb)."""
    index = instant.year * 12 + (instant.month - 1) - months
    year, month = divmod(index, 12)
    day = min(instant.day, monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def check_retention_months(months: int) -> None:
    """A retention period is a whole number of months within reason."""
    if not MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS:
        raise InvalidInput.field(
            "months", f"must be {MIN_RETENTION_MONTHS}–{MAX_RETENTION_MONTHS} months", code="range"
        )


def is_due_for_retention(resident: Resident, cutoff: datetime) -> bool:
    """Not anonymised yet, and no activity since the cutoff."""
    return resident.anonymised_at is None and resident.last_activity_at < cutoff


def can_run_retention(scope: Scope) -> Decision:
    """The admin (operations) and the privacy officer start a retention run; it reports identifiers only."""
    if scope.role in (Role.admin, Role.privacy_officer):
        return ALLOWED
    return Decision(Outcome.forbidden, "only the admin or the privacy officer runs retention")


@dataclass(frozen=True)
class RetentionReport:
    ran_at: datetime
    months: int
    cutoff: datetime
    anonymised: tuple[UUID, ...]
    notes_removed: int
    consents_closed: int


async def run_retention(
    uow: UnitOfWork, actor: Actor, months: int, now: datetime, batch: int = RETENTION_BATCH
) -> RetentionReport:
    """Anonymise every resident without activity for `months` months, in batches of `batch` (each
    batch its own transaction, so a long run never holds one huge lock); running again finds nothing."""
    check_retention_months(months)
    cutoff = months_before(now, months)
    purpose = f"retention: no activity for {months} months"
    anonymised: list[UUID] = []
    notes_removed = consents_closed = 0
    while True:
        due = await uow.residents.inactive_since(cutoff, batch)
        # The query mirrors the rule; should they ever disagree, stop rather than anonymise wrongly.
        assert all(is_due_for_retention(r, cutoff) for r in due), "retention query and rule disagree"
        for resident in due:
            done = await anonymise(
                uow, actor, resident.id, AnonymisedBecause.retention, now, inactive_before=cutoff, purpose=purpose
            )
            if done is not None:
                anonymised.append(resident.id)
                notes_removed += done.notes_removed
                consents_closed += done.consents_closed
        await uow.commit()
        if len(due) < batch:
            break
    return RetentionReport(now, months, cutoff, tuple(anonymised), notes_removed, consents_closed)


async def start_retention(uow: UnitOfWork, access: Access, months: int, now: datetime) -> RetentionReport:
    """A retention run started over the API by the admin or the privacy officer."""
    enforce(can_run_retention(access.scope), NOT_FOUND)
    return await run_retention(uow, access.actor, months, now)
