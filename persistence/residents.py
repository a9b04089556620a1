"""Residents, their notes (with revisions) and consents, and the append-only audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import String, Table, Uuid, and_, bindparam, delete, false, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from domain.audit import ActorKind, AuditAction, AuditEvent, AuditFilter, RecordKind
from domain.consents import Consent, ConsentForm, ConsentScope
from domain.identity import Role
from domain.notes import Note, NoteCategory, NoteRevision, NoteViewer
from domain.pagination import Page, PageRequest
from domain.residents import (
    Address,
    NoteVisibility,
    OneTripAnswer,
    OneTripRead,
    Resident,
    ResidentFilter,
    name_key,
)
from persistence import resident_reads
from persistence.db import DriverPool, DriverStatement, on_postgresql
from persistence.pagination import fetch_page
from persistence.repositories import TableRepository
from persistence.tables import OrganisationRow, UserRow
from persistence.tables_residents import (
    AuditEventRow,
    ResidentConsentRow,
    ResidentNoteRevisionRow,
    ResidentNoteRow,
    ResidentRow,
)

RESIDENT: Table = ResidentRow.__table__  # type: ignore[assignment]
NOTE: Table = ResidentNoteRow.__table__  # type: ignore[assignment]
REVISION: Table = ResidentNoteRevisionRow.__table__  # type: ignore[assignment]
CONSENT: Table = ResidentConsentRow.__table__  # type: ignore[assignment]
AUDIT: Table = AuditEventRow.__table__  # type: ignore[assignment]
USER: Table = UserRow.__table__  # type: ignore[assignment]
ORGANISATION: Table = OrganisationRow.__table__  # type: ignore[assignment]

# --- residents ---------------------------------------------------------------------------------


def _resident(row: Mapping[str, Any]) -> Resident:
    address = None
    if row["postcode"] is not None:
        address = Address(row["postcode"], row["huisnummer"], row["toevoeging"], row["nummeraanduiding_id"])
    return Resident(
        id=row["id"],
        wijk_id=row["wijk_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        address=address,
        phone=row["phone"],
        email=row["email"],
        birth_year=row["birth_year"],
        is_key_figure=row["is_key_figure"],
        languages=tuple(row["languages"] or ()),
        last_activity_at=row["last_activity_at"],
        anonymised_at=row["anonymised_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        birth_decade=row["birth_decade"],
        anonymised_reason=row["anonymised_reason"],
    )


def _resident_columns(r: Resident) -> dict[str, Any]:
    a = r.address
    return {
        "wijk_id": r.wijk_id,
        "given_name": r.given_name,
        "family_name": r.family_name,
        "search_name": name_key(r.given_name, r.family_name) or None,
        "postcode": a.postcode if a else None,
        "huisnummer": a.huisnummer if a else None,
        "toevoeging": a.toevoeging if a else None,
        "nummeraanduiding_id": a.nummeraanduiding_id if a else None,
        "phone": r.phone,
        "email": r.email,
        "birth_year": r.birth_year,
        "birth_decade": r.birth_decade,
        "is_key_figure": r.is_key_figure,
        "languages": list(r.languages),
        "last_activity_at": r.last_activity_at,
    }


def _like_word(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def read_audited_on_driver(pool: DriverPool, request: OneTripRead) -> OneTripAnswer:
    """SqlResidentRepository.read_audited on a connection of the driver's own pool (api.hot_reads)."""
    return await resident_reads.read_audited_on_driver(pool, request, _resident)


class SqlResidentRepository(TableRepository[Resident]):
    table = RESIDENT
    to_entity = staticmethod(_resident)
    not_found = "resident not found"

    async def add(self, resident: Resident) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=resident.id,
                version=resident.version,
                created_at=resident.created_at,
                updated_at=resident.updated_at,
                anonymised_at=None,
                **_resident_columns(resident),
            )
        )

    async def read_audited(self, request: OneTripRead) -> OneTripAnswer | None:
        if not on_postgresql(self.session):
            return None  # SQLite has no INSERT inside WITH; the use case goes step by step
        return await resident_reads.read_audited(self.session, request, _resident)

    async def get_many(self, resident_ids: Iterable[UUID]) -> list[Resident]:
        wanted = list(resident_ids)
        if not wanted:
            return []
        rows = (await self.session.execute(select(self.table).where(self.table.c.id.in_(wanted)))).mappings().all()
        return [_resident(row) for row in rows]

    async def search(
        self, wijk_ids: frozenset[UUID] | None, page: PageRequest, filters: ResidentFilter
    ) -> Page[Resident]:
        """Residents matching the filters in `wijk_ids` (None: every wijk), never anonymised ones,
        in order of registration — a cursor of names would put personal data into URLs."""
        c = self.table.c
        conditions: list[Any] = [c.anonymised_at.is_(None)]
        if wijk_ids is not None:
            conditions.append(c.wijk_id.in_(list(wijk_ids)) if wijk_ids else false())
        if filters.wijk_id is not None:
            conditions.append(c.wijk_id == filters.wijk_id)
        for word in filters.name_words:
            conditions.append(c.search_name.like(_like_word(word), escape="\\"))
        if filters.postcode is not None:
            conditions.append(c.postcode == filters.postcode)
        if filters.huisnummer is not None:
            conditions.append(c.huisnummer == filters.huisnummer)
        return await self._page(page, [c.created_at, c.id], *conditions)

    async def save(self, resident: Resident, expected_version: int, now: datetime) -> Resident:
        return await self.update(resident.id, expected_version, _resident_columns(resident), now)

    async def touch_activity(self, resident_id: UUID, now: datetime) -> None:
        # Not a change of the resident's representation, so its version (ETag) stays.
        c = self.table.c
        await self.session.execute(update(self.table).where(c.id == resident_id).values(last_activity_at=now))

    async def anonymise(
        self, resident_id: UUID, reason: str, now: datetime, *, inactive_before: datetime | None
    ) -> bool:
        c = self.table.c
        conditions = [c.id == resident_id, c.anonymised_at.is_(None)]
        if inactive_before is not None:
            # Checked again here: a note written since the selection keeps the resident.
            conditions.append(c.last_activity_at < inactive_before)
        stmt = (
            update(self.table)
            .where(*conditions)
            .values(
                given_name=None,
                family_name=None,
                search_name=None,
                postcode=None,
                huisnummer=None,
                toevoeging=None,
                nummeraanduiding_id=None,
                phone=None,
                email=None,
                birth_year=None,
                languages=[],
                anonymised_at=now,
                anonymised_reason=reason,
                version=c.version + 1,
                updated_at=now,
            )
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def inactive_since(self, cutoff: datetime, limit: int) -> list[Resident]:
        # Mirrors domain.rights.is_due_for_retention.
        c = self.table.c
        stmt = (
            select(self.table)
            .where(c.anonymised_at.is_(None), c.last_activity_at < cutoff)
            .order_by(c.last_activity_at, c.id)
            .limit(limit)
        )
        return [_resident(row) for row in (await self.session.execute(stmt)).mappings().all()]


# --- notes -------------------------------------------------------------------------------------


def _note(row: Mapping[str, Any]) -> Note:
    return Note(
        id=row["id"],
        resident_id=row["resident_id"],
        author_id=row["author_id"],
        author_organisation_id=row["author_organisation_id"],
        author_role=Role(row["author_role"]),
        category=NoteCategory(row["category"]),
        visibility=NoteVisibility(row["visibility"]),
        text=row["text"],
        revision=row["revision"],
        retracted_at=row["retracted_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        author_name=row.get("author_name") or "",
    )


def _revision(row: Mapping[str, Any]) -> NoteRevision:
    return NoteRevision(
        id=row["id"],
        note_id=row["note_id"],
        revision=row["revision"],
        category=NoteCategory(row["category"]),
        visibility=NoteVisibility(row["visibility"]),
        text=row["text"],
        written_at=row["written_at"],
        replaced_at=row["replaced_at"],
    )


class SqlNoteRepository(TableRepository[Note]):
    table = NOTE
    to_entity = staticmethod(_note)
    not_found = "note not found"

    def _select(self) -> Any:
        return select(self.table, USER.c.display_name.label("author_name")).join(
            USER, USER.c.id == self.table.c.author_id
        )

    async def add(self, note: Note) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=note.id,
                resident_id=note.resident_id,
                author_id=note.author_id,
                author_organisation_id=note.author_organisation_id,
                author_role=note.author_role.value,
                category=note.category.value,
                visibility=note.visibility.value,
                text=note.text,
                revision=note.revision,
                retracted_at=note.retracted_at,
                version=note.version,
                created_at=note.created_at,
                updated_at=note.updated_at,
            )
        )

    async def get(self, entity_id: UUID) -> Note | None:
        row = (await self.session.execute(self._select().where(self.table.c.id == entity_id))).mappings().first()
        return _note(row) if row else None

    async def list(
        self, resident_id: UUID, viewer: NoteViewer, page: PageRequest, include_retracted: bool
    ) -> Page[Note]:
        c = self.table.c
        # Mirrors domain.residents.can_read_note for a caller who reaches the resident.
        visible = or_(
            c.visibility == NoteVisibility.koppel.value,
            and_(
                c.visibility == NoteVisibility.organisation.value,
                c.author_organisation_id == viewer.organisation_id,
            ),
            and_(c.visibility == NoteVisibility.author.value, c.author_id == viewer.user_id),
        )
        conditions = [c.resident_id == resident_id, visible]
        if not include_retracted:
            conditions.append(c.retracted_at.is_(None))
        stmt = self._select().where(*conditions)
        return await fetch_page(self.session, stmt, [c.created_at, c.id], page, _note)

    async def save(self, note: Note, expected_version: int, now: datetime) -> Note:
        await self.update(
            note.id,
            expected_version,
            {
                "category": note.category.value,
                "visibility": note.visibility.value,
                "text": note.text,
                "revision": note.revision,
                "retracted_at": note.retracted_at,
            },
            now,
        )
        saved = await self.get(note.id)
        assert saved is not None
        return saved

    async def add_revision(self, revision: NoteRevision) -> None:
        resident_id = select(NOTE.c.resident_id).where(NOTE.c.id == revision.note_id).scalar_subquery()
        await self.session.execute(
            insert(REVISION).values(
                id=revision.id,
                note_id=revision.note_id,
                resident_id=resident_id,
                revision=revision.revision,
                category=revision.category.value,
                visibility=revision.visibility.value,
                text=revision.text,
                written_at=revision.written_at,
                replaced_at=revision.replaced_at,
            )
        )

    async def revisions(self, note_id: UUID) -> list[NoteRevision]:
        r = REVISION.c
        stmt = select(REVISION).where(r.note_id == note_id).order_by(r.revision)
        return [_revision(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def of_resident(self, resident_id: UUID) -> list[Note]:
        c = self.table.c
        stmt = self._select().where(c.resident_id == resident_id).order_by(c.created_at, c.id)
        return [_note(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def revisions_of_resident(self, resident_id: UUID) -> list[NoteRevision]:
        r = REVISION.c
        stmt = select(REVISION).where(r.resident_id == resident_id).order_by(r.note_id, r.revision)
        return [_revision(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def remove_all_of(self, resident_id: UUID) -> int:
        await self.session.execute(delete(REVISION).where(REVISION.c.resident_id == resident_id))
        result = await self.session.execute(delete(self.table).where(self.table.c.resident_id == resident_id))
        return int(result.rowcount)  # type: ignore[attr-defined]


# --- consents ----------------------------------------------------------------------------------


def _consent(row: Mapping[str, Any]) -> Consent:
    return Consent(
        id=row["id"],
        resident_id=row["resident_id"],
        organisation_id=row["organisation_id"],
        scope=frozenset(ConsentScope(s) for s in row["scope"]),
        purpose=row["purpose"],
        given_how=ConsentForm(row["given_how"]),
        given_at=row["given_at"],
        recorded_by_id=row["recorded_by_id"],
        recorded_by_organisation_id=row["recorded_by_organisation_id"],
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by_id=row["withdrawn_by_id"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        organisation_name=row.get("organisation_name") or "",
    )


class SqlConsentRepository(TableRepository[Consent]):
    table = CONSENT
    to_entity = staticmethod(_consent)
    not_found = "consent not found"

    def _select(self) -> Any:
        return select(self.table, ORGANISATION.c.name.label("organisation_name")).join(
            ORGANISATION, ORGANISATION.c.id == self.table.c.organisation_id
        )

    async def add(self, consent: Consent) -> None:
        await self.session.execute(
            insert(self.table).values(
                id=consent.id,
                resident_id=consent.resident_id,
                organisation_id=consent.organisation_id,
                scope=sorted(s.value for s in consent.scope),
                purpose=consent.purpose,
                given_how=consent.given_how.value,
                given_at=consent.given_at,
                recorded_by_id=consent.recorded_by_id,
                recorded_by_organisation_id=consent.recorded_by_organisation_id,
                withdrawn_at=consent.withdrawn_at,
                withdrawn_by_id=consent.withdrawn_by_id,
                version=consent.version,
                created_at=consent.created_at,
                updated_at=consent.updated_at,
            )
        )

    async def get(self, entity_id: UUID) -> Consent | None:
        row = (await self.session.execute(self._select().where(self.table.c.id == entity_id))).mappings().first()
        return _consent(row) if row else None

    async def list(self, resident_id: UUID, page: PageRequest) -> Page[Consent]:
        c = self.table.c
        stmt = self._select().where(c.resident_id == resident_id)
        return await fetch_page(self.session, stmt, [c.given_at, c.id], page, _consent)

    async def of_resident(self, resident_id: UUID) -> list[Consent]:
        c = self.table.c
        stmt = self._select().where(c.resident_id == resident_id).order_by(c.given_at, c.id)
        return [_consent(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def of_residents(self, resident_ids: Iterable[UUID]) -> list[Consent]:
        """Every consent of these residents in one query (a page of referrals)."""
        wanted = list(resident_ids)
        if not wanted:
            return []
        c = self.table.c
        stmt = self._select().where(c.resident_id.in_(wanted)).order_by(c.given_at, c.id)
        return [_consent(row) for row in (await self.session.execute(stmt)).mappings().all()]

    async def withdraw(self, consent_id: UUID, withdrawn_by_id: UUID, now: datetime) -> Consent | None:
        c = self.table.c
        stmt = (
            update(self.table)
            .where(c.id == consent_id, c.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_by_id=withdrawn_by_id, version=c.version + 1, updated_at=now)
            .returning(*c)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return _consent(row) if row else None

    async def strip_all_of(self, resident_id: UUID, now: datetime) -> int:
        """Keep each consent's skeleton as proof of lawful sharing; drop the purpose, end it now."""
        c = self.table.c
        closed = await self.session.execute(
            update(self.table)
            .where(c.resident_id == resident_id, c.withdrawn_at.is_(None))
            .values(withdrawn_at=now, version=c.version + 1, updated_at=now)
        )
        await self.session.execute(update(self.table).where(c.resident_id == resident_id).values(purpose=None))
        return int(closed.rowcount)  # type: ignore[attr-defined]


# --- the audit trail ---------------------------------------------------------------------------


def _event(row: Mapping[str, Any]) -> AuditEvent:
    return AuditEvent(
        id=row["id"],
        occurred_at=row["occurred_at"],
        actor_kind=ActorKind(row["actor_kind"]),
        actor_id=row["actor_id"],
        actor_role=Role(row["actor_role"]) if row["actor_role"] else None,
        actor_organisation_id=row["actor_organisation_id"],
        action=AuditAction(row["action"]),
        resident_id=row["resident_id"],
        record_kind=RecordKind(row["record_kind"]),
        record_id=row["record_id"],
        fields=tuple(row["fields"] or ()),
        purpose=row["purpose"],
        request_id=row["request_id"],
    )


AUDIT_COLUMNS = (
    "id", "occurred_at", "actor_kind", "actor_id", "actor_role", "actor_organisation_id", "action",
    "resident_id", "record_kind", "record_id", "fields", "purpose", "request_id",
)
assert set(AUDIT_COLUMNS) == {c.name for c in AUDIT.c}, "an audit column was added: append it in both paths"
_UUID_COLUMNS = frozenset({"id", "actor_id", "actor_organisation_id", "resident_id", "record_id"})


def _audit_array(name: str) -> tuple[str, Any]:
    """The SQL array type a column's values travel in, and its SQLAlchemy type."""
    if name in _UUID_COLUMNS:
        return "uuid[]", ARRAY(Uuid())
    if name == "occurred_at":
        return "timestamptz[]", ARRAY(AUDIT.c.occurred_at.type)
    return "text[]", ARRAY(String())  # fields travel as JSON text, cast per element below


# Only this module's constants are interpolated; the values are bound arrays.
_APPEND_AUDIT_EVENTS = text(
    "INSERT INTO audit_event ({names}) SELECT {selected} FROM unnest({arrays}) AS e({names})".format(  # noqa: S608
        names=", ".join(AUDIT_COLUMNS),
        selected=", ".join("fields::json" if name == "fields" else name for name in AUDIT_COLUMNS),
        arrays=", ".join(f"CAST(:{name} AS {_audit_array(name)[0]})" for name in AUDIT_COLUMNS),
    )
).bindparams(*[bindparam(name, type_=_audit_array(name)[1]) for name in AUDIT_COLUMNS])
_APPEND_AUDIT_EVENTS_ON_DRIVER = DriverStatement.of(_APPEND_AUDIT_EVENTS)


def audit_row(e: AuditEvent) -> dict[str, Any]:
    """An event as the table's columns hold it."""
    return {
        "id": e.id,
        "occurred_at": e.occurred_at,
        "actor_kind": e.actor_kind.value,
        "actor_id": e.actor_id,
        "actor_role": e.actor_role.value if e.actor_role else None,
        "actor_organisation_id": e.actor_organisation_id,
        "action": e.action.value,
        "resident_id": e.resident_id,
        "record_kind": e.record_kind.value,
        "record_id": e.record_id,
        "fields": list(e.fields),
        "purpose": e.purpose,
        "request_id": e.request_id,
    }


# A new event's id made by PostgreSQL, for the events a statement writes for the rows it reads: time-
# ordered like domain.audit.new_event_id's (UUIDv7: the milliseconds since the epoch in the first 48
# bits, version 7 in the next 4, the rest gen_random_uuid's, whose variant bits are already RFC 9562's).
NEW_EVENT_ID_SQL = (
    "CAST(encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING"
    " substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),"
    " 52, 1), 53, 1), 'hex') AS uuid)"
)

# The events of one request that differ only in which resident and record they name (a search's hits;
# a page of contact moments writes its own, persistence.contact_moments._page_statement): the shared
# columns travel once, only the ids as arrays.
_PER_EVENT = ("id", "resident_id", "record_id")
SHARED_AUDIT_COLUMNS = tuple(name for name in AUDIT_COLUMNS if name not in _PER_EVENT)
_APPEND_SHARED_AUDIT_EVENTS = text(
    "INSERT INTO audit_event ({names}) SELECT {selected} FROM unnest({arrays}) AS e({per_event})".format(  # noqa: S608
        names=", ".join(AUDIT_COLUMNS),
        selected=", ".join(
            f"e.{name}" if name in _PER_EVENT else "CAST(:fields AS json)" if name == "fields" else f":{name}"
            for name in AUDIT_COLUMNS
        ),
        arrays=", ".join(f"CAST(:{name} AS uuid[])" for name in _PER_EVENT),
        per_event=", ".join(_PER_EVENT),
    )
).bindparams(
    *[bindparam(name, type_=ARRAY(Uuid())) for name in _PER_EVENT],
    *[bindparam(name, type_=String() if name == "fields" else AUDIT.c[name].type) for name in SHARED_AUDIT_COLUMNS],
)
_APPEND_SHARED_AUDIT_EVENTS_ON_DRIVER = DriverStatement.of(_APPEND_SHARED_AUDIT_EVENTS)


class SqlAuditRepository:
    """Append and read; there is deliberately no update or delete (and the database refuses them)."""

    table: Table = AUDIT

    def __init__(self, session: Any) -> None:
        self.session = session

    async def append(self, events: Iterable[AuditEvent]) -> None:
        rows = [audit_row(e) for e in events]
        if not rows:
            return
        if on_postgresql(self.session):
            # One statement text for any number of events, each column one array: a page that audits a
            # hundred residents is one execution of one prepared statement. (An executemany runs an
            # INSERT per event; a multi-row VALUES is a new statement to prepare for every count.)
            # Sent straight to the driver: inside the use case's transaction when it has one, else (a
            # read's events, its only write) on the read's driver lease in autocommit, where the one
            # INSERT is atomic by itself — not through a connection of SQLAlchemy's pool of its own.
            shared = {name: rows[0][name] for name in SHARED_AUDIT_COLUMNS}
            if all(row[name] == shared[name] for row in rows for name in SHARED_AUDIT_COLUMNS):
                params = {name: [row[name] for row in rows] for name in _PER_EVENT}
                params |= shared | {"fields": json.dumps(shared["fields"])}
                await _APPEND_SHARED_AUDIT_EVENTS_ON_DRIVER.fetch(self.session, params)
                return
            columns = {name: [row[name] for row in rows] for name in AUDIT_COLUMNS}
            columns["fields"] = [json.dumps(fields) for fields in columns["fields"]]
            await _APPEND_AUDIT_EVENTS_ON_DRIVER.fetch(self.session, columns)
        else:  # RETURNING makes it one multi-row INSERT (insertmanyvalues), not an INSERT per event
            await self.session.execute(insert(self.table).returning(self.table.c.id), rows)

    async def list(self, page: PageRequest, filters: AuditFilter) -> Page[AuditEvent]:
        c = self.table.c
        conditions = []
        if filters.resident_id is not None:
            conditions.append(c.resident_id == filters.resident_id)
        if filters.actor_id is not None:
            conditions.append(c.actor_id == filters.actor_id)
        if filters.action is not None:
            conditions.append(c.action == filters.action.value)
        if filters.occurred_from is not None:
            conditions.append(c.occurred_at >= filters.occurred_from)
        if filters.occurred_to is not None:
            conditions.append(c.occurred_at < filters.occurred_to)
        if filters.request_id is not None:
            conditions.append(c.request_id == filters.request_id)
        stmt = select(self.table).where(*conditions)
        return await fetch_page(self.session, stmt, [c.occurred_at, c.id], page, _event)

    async def of_resident(self, resident_id: UUID) -> list[AuditEvent]:
        c = self.table.c
        stmt = select(self.table).where(c.resident_id == resident_id).order_by(c.occurred_at, c.id)
        return [_event(row) for row in (await self.session.execute(stmt)).mappings().all()]

