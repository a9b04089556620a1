"""Notes on a resident: what a koppel member wrote down, with a category and a visibility.

Visibility decides who reads a note (domain.residents.can_read_note): `koppel` — every koppel
member of the resident's wijk; `organisation` — staff of the author's organisation only, so a
welfare note never reaches the police and the reverse; `author` — the author alone.

Nobody deletes history silently: the author corrects a note (each correction keeps the version it
replaces as a revision) or retracts it (kept, hidden from daily lists, still in the resident's
export); only an erasure or a retention run removes notes, and that is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.audit import Access, AuditAction, RecordKind, audit_event
from domain.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from domain.identity import Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.residents import (
    NoteReach,
    NoteVisibility,
    Resident,
    can_change_note,
    can_read_note,
    can_read_note_revision,
    can_write_resident,
    has_control_characters,
    reachable_resident,
)
from domain.scope import Scope, enforce

NOT_FOUND = "note not found"
MAX_TEXT = 10_000
NOTE_FIELDS = ("category", "text", "visibility")


class NoteCategory(StrEnum):
    contact = "contact"  # a talk in the street, a home visit, an office hour
    hulpvraag = "hulpvraag"  # a need the resident put into words
    afspraak = "afspraak"  # something agreed, a follow-up
    zorgsignaal = "zorgsignaal"  # a worry about the resident's wellbeing
    veiligheid = "veiligheid"
    wonen = "wonen"
    netwerk = "netwerk"  # the resident's contacts, key-figure role, neighbours
    overig = "overig"


@dataclass(frozen=True)
class Note:
    id: UUID
    resident_id: UUID
    author_id: UUID
    author_organisation_id: UUID
    author_role: Role
    category: NoteCategory
    visibility: NoteVisibility
    text: str
    revision: int  # 1 for the first version, +1 per correction
    retracted_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    author_name: str = ""  # read with the note

    @property
    def reach(self) -> NoteReach:
        return NoteReach(self.author_id, self.author_organisation_id, self.visibility)


@dataclass(frozen=True)
class NoteRevision:
    """A version of a note as it was before a correction replaced it."""

    id: UUID
    note_id: UUID
    revision: int
    category: NoteCategory
    visibility: NoteVisibility
    text: str
    written_at: datetime  # when this version was written
    replaced_at: datetime  # when the next version replaced it


@dataclass(frozen=True)
class NewNote:
    text: str
    category: NoteCategory
    visibility: NoteVisibility = NoteVisibility.koppel


@dataclass(frozen=True)
class NoteViewer:
    """Who is listing notes: the SQL filter mirrors can_read_note with these."""

    user_id: UUID
    organisation_id: UUID


def check_text(text: str) -> str:
    """A note says something, within reason."""
    text = text.strip()
    if has_control_characters(text):
        raise InvalidInput.field("text", "must not contain control characters", code="control_characters")
    if not text:
        raise InvalidInput.field("text", "must not be empty", code="required")
    if len(text) > MAX_TEXT:
        raise InvalidInput.field("text", f"at most {MAX_TEXT} characters", code="too_long")
    return text


def _viewer(scope: Scope) -> NoteViewer:
    return NoteViewer(scope.principal.id, scope.organisation_id)


async def _note(uow: UnitOfWork, scope: Scope, resident: Resident, note_id: UUID) -> Note:
    note = await uow.notes.get(note_id)
    if note is None or note.resident_id != resident.id:
        raise NotFound(NOT_FOUND)
    enforce(can_read_note(scope, resident.reach, note.reach), NOT_FOUND)
    return note


async def add_note(uow: UnitOfWork, access: Access, resident_id: UUID, data: NewNote, now: datetime) -> Note:
    """Write a note on a resident of the caller's wijken; the author is the caller."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id, can_write_resident)
    note = Note(
        id=uuid4(),
        resident_id=resident.id,
        author_id=scope.principal.id,
        author_organisation_id=scope.organisation_id,
        author_role=scope.role,
        category=data.category,
        visibility=data.visibility,
        text=check_text(data.text),
        revision=1,
        retracted_at=None,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.notes.add(note)
    await uow.residents.touch_activity(resident.id, now)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.create, resident.id, now,
                record_kind=RecordKind.note, record_id=note.id, fields=NOTE_FIELDS,
            )
        ]
    )
    await uow.commit()
    return await uow.notes.get(note.id) or note


async def list_notes(
    uow: UnitOfWork, access: Access, resident_id: UUID, page: PageRequest, include_retracted: bool, now: datetime
) -> Page[Note]:
    """The notes on a resident the caller may read, oldest first; one audit event per note returned."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id)
    result = await uow.notes.list(resident.id, _viewer(scope), page, include_retracted)
    # The query filters by visibility; the policy decides again, so the two cannot drift apart unseen.
    items = [n for n in result.items if can_read_note(scope, resident.reach, n.reach).allowed]
    assert len(items) == len(result.items), "note list filter and can_read_note disagree"
    if items:
        await uow.audit.append(
            [
                audit_event(
                    access.actor, AuditAction.read, resident.id, now,
                    record_kind=RecordKind.note, record_id=n.id, fields=NOTE_FIELDS,
                )
                for n in items
            ]
        )
        await uow.commit()
    return Page(items=items, next_cursor=result.next_cursor)


async def get_note(uow: UnitOfWork, access: Access, resident_id: UUID, note_id: UUID, now: datetime) -> Note:
    """Read one note the caller may see (a retracted one too: it says so)."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id)
    note = await _note(uow, scope, resident, note_id)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.read, resident.id, now,
                record_kind=RecordKind.note, record_id=note.id, fields=NOTE_FIELDS,
            )
        ]
    )
    await uow.commit()
    return note


async def correct_note(
    uow: UnitOfWork,
    access: Access,
    resident_id: UUID,
    note_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> Note:
    """The author corrects text, category or visibility; the replaced version is kept as a revision,
    and a change of visibility is audited as such."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id)
    current = await _note(uow, scope, resident, note_id)
    enforce(can_change_note(scope, resident.reach, current.reach), NOT_FOUND)
    if current.retracted_at is not None:
        raise Conflict("the note was retracted; write a new note instead")
    candidate = replace(current, **changes)
    candidate = replace(candidate, text=check_text(candidate.text))
    changed = [name for name in NOTE_FIELDS if getattr(candidate, name) != getattr(current, name)]
    if not changed:
        # Nothing to correct: no new version, but the note goes back to the caller, so the read is audited.
        if current.version != expected_version:
            raise PreconditionFailed("the resource was changed by someone else; fetch it again")
        await uow.audit.append(
            [
                audit_event(
                    access.actor, AuditAction.read, resident.id, now,
                    record_kind=RecordKind.note, record_id=current.id, fields=NOTE_FIELDS,
                )
            ]
        )
        await uow.commit()
        return current
    revision = NoteRevision(
        id=uuid4(),
        note_id=current.id,
        revision=current.revision,
        category=current.category,
        visibility=current.visibility,
        text=current.text,
        written_at=current.updated_at,
        replaced_at=now,
    )
    updated = await uow.notes.save(replace(candidate, revision=current.revision + 1), expected_version, now)
    await uow.notes.add_revision(revision)
    await uow.residents.touch_activity(resident.id, now)
    events = [
        audit_event(
            access.actor, AuditAction.update, resident.id, now,
            record_kind=RecordKind.note, record_id=current.id, fields=changed,
        )
    ]
    if "visibility" in changed:
        events.append(
            audit_event(
                access.actor, AuditAction.visibility_change, resident.id, now,
                record_kind=RecordKind.note, record_id=current.id, fields=["visibility"],
                purpose=f"{current.visibility.value} -> {candidate.visibility.value}",
            )
        )
    await uow.audit.append(events)
    await uow.commit()
    return updated


async def retract_note(
    uow: UnitOfWork, access: Access, resident_id: UUID, note_id: UUID, expected_version: int, now: datetime
) -> None:
    """The author withdraws a note: it stays (with its revisions) for the record and the resident's
    export, but leaves the daily lists."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id)
    current = await _note(uow, scope, resident, note_id)
    enforce(can_change_note(scope, resident.reach, current.reach), NOT_FOUND)
    if current.retracted_at is not None:
        raise Conflict("the note was already retracted")
    await uow.notes.save(replace(current, retracted_at=now), expected_version, now)
    await uow.residents.touch_activity(resident.id, now)
    await uow.audit.append(
        [
            audit_event(
                access.actor, AuditAction.delete, resident.id, now,
                record_kind=RecordKind.note, record_id=current.id, purpose="retracted by its author",
            )
        ]
    )
    await uow.commit()


async def list_revisions(
    uow: UnitOfWork, access: Access, resident_id: UUID, note_id: UUID, now: datetime
) -> list[NoteRevision]:
    """The earlier versions of a note the caller may read, oldest first."""
    scope = access.scope
    resident = await reachable_resident(uow, scope, resident_id)
    note = await _note(uow, scope, resident, note_id)
    revisions = [
        r
        for r in await uow.notes.revisions(note.id)
        if can_read_note_revision(scope, resident.reach, note.reach, r.visibility).allowed
    ]
    if revisions:
        await uow.audit.append(
            [
                audit_event(
                    access.actor, AuditAction.read, resident.id, now,
                    record_kind=RecordKind.note, record_id=note.id, fields=NOTE_FIELDS,
                    purpose=f"revision {r.revision}",
                )
                for r in revisions
            ]
        )
        await uow.commit()
    return revisions
