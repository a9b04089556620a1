"""The audit trail of residents' personal data: who touched what of whose data, how, when, and in
which request.

Every use case that reads or changes personal data appends its events through its own unit of
work and commits them together with the change (writes) or before the data is handed back
(reads), so no personal data leaves the service without a trace. The trail is append-only: the
repository can add and read, nothing else, no route changes it, and on PostgreSQL a trigger refuses
UPDATE and DELETE on the table.

An event names fields, never values: `fields` holds wire names such as `familyName`, `purpose` a
fixed phrase or identifiers. The trail itself therefore holds no personal values and survives an
erasure unchanged — the resident keeps the right to learn who saw their data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from uuid_utils.compat import uuid7

from domain.errors import InvalidInput
from domain.identity import Principal, Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import ALLOWED, Decision, Outcome, Scope, enforce


class AuditAction(StrEnum):
    read = "read"
    search_hit = "search_hit"  # one per resident in a search result
    export = "export"  # an access request (AVG art. 15) answered
    create = "create"
    update = "update"
    delete = "delete"  # a note retracted: kept for the record, hidden from daily work
    visibility_change = "visibility_change"
    consent_withdrawn = "consent_withdrawn"
    erase = "erase"  # on the resident's request (AVG art. 17)
    anonymise = "anonymise"  # by a retention run


class RecordKind(StrEnum):
    """What kind of record of the resident was touched."""

    resident = "resident"
    note = "note"
    consent = "consent"
    contact_moment = "contact_moment"  # the resident was involved in a contact moment
    need = "need"
    referral = "referral"
    offer = "offer"  # the resident volunteers an offer


class ActorKind(StrEnum):
    user = "user"
    client = "client"
    system = "system"  # the service itself, e.g. a retention run started from the command line


@dataclass(frozen=True)
class Access:
    """A request that touches personal data: the caller's scope and the request id the audit records."""

    scope: Scope
    request_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.scope.principal, self.request_id)


@dataclass(frozen=True)
class Actor:
    """Who causes an event: a principal, or the service itself (`principal` None)."""

    principal: Principal | None
    request_id: str | None = None


SYSTEM = Actor(None)


@dataclass(frozen=True)
class AuditEvent:
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
    fields: tuple[str, ...]
    purpose: str | None
    request_id: str | None


def new_event_id() -> UUID:
    """A time-ordered id (UUIDv7): the trail is appended in time order, so its primary-key index
    grows at its right edge instead of touching a random page for every event (each such page also
    costs a full-page image in PostgreSQL's write-ahead log after a checkpoint). An event already
    states when it happened; the id repeats nothing that is not in the row."""
    return uuid7()


def audit_event(
    actor: Actor,
    action: AuditAction,
    resident_id: UUID,
    now: datetime,
    *,
    record_kind: RecordKind = RecordKind.resident,
    record_id: UUID | None = None,
    fields: Iterable[str] = (),
    purpose: str | None = None,
) -> AuditEvent:
    """One event; `fields` are field names (sorted, deduplicated), never values."""
    principal = actor.principal
    return AuditEvent(
        id=new_event_id(),
        occurred_at=now,
        actor_kind=ActorKind(principal.kind.value) if principal else ActorKind.system,
        actor_id=principal.id if principal else None,
        actor_role=principal.role if principal else None,
        actor_organisation_id=principal.organisation_id if principal else None,
        action=action,
        resident_id=resident_id,
        record_kind=record_kind,
        record_id=record_id or resident_id,
        fields=tuple(sorted(set(fields))),
        purpose=purpose,
        request_id=actor.request_id,
    )


def events_for(
    actor: Actor,
    action: AuditAction,
    resident_ids: Iterable[UUID],
    now: datetime,
    *,
    record_kind: RecordKind,
    record_id: UUID,
    fields: Iterable[str] = (),
    purpose: str | None = None,
) -> list[AuditEvent]:
    """One event per resident of a record that involves several (a contact moment, a referral)."""
    names = tuple(fields)
    return [
        audit_event(actor, action, resident_id, now, record_kind=record_kind, record_id=record_id, fields=names, purpose=purpose)
        for resident_id in sorted(set(resident_ids), key=str)
    ]


@dataclass(frozen=True)
class AuditStamp:
    """What the events of one request share — who, which action, when, which kind of record and which
    fields — handed to a store that returns records naming residents and writes one event per
    resident named, each event adding the resident and the record that names them (a page of contact
    moments: on PostgreSQL the page and its events are one statement)."""

    actor: Actor
    action: AuditAction
    occurred_at: datetime
    record_kind: RecordKind
    fields: tuple[str, ...]

    def event(self, record_id: UUID, resident_id: UUID) -> AuditEvent:
        return audit_event(
            self.actor, self.action, resident_id, self.occurred_at,
            record_kind=self.record_kind, record_id=record_id, fields=self.fields,
        )

    def events(self, record_id: UUID, resident_ids: Iterable[UUID]) -> list[AuditEvent]:
        """One event per resident the record names, as events_for writes them."""
        return events_for(
            self.actor, self.action, resident_ids, self.occurred_at,
            record_kind=self.record_kind, record_id=record_id, fields=self.fields,
        )


@dataclass(frozen=True)
class AuditFilter:
    resident_id: UUID | None = None
    actor_id: UUID | None = None
    action: AuditAction | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_to: datetime | None = None  # exclusive
    request_id: str | None = None


def can_read_audit(scope: Scope) -> Decision:
    """Only the privacy officer reads the trail: the admin, who creates accounts and could give
    themselves access, is exactly whom the trail must be able to show."""
    if scope.role is Role.privacy_officer:
        return ALLOWED
    return Decision(Outcome.forbidden, "only the privacy officer reads the audit trail")


async def list_audit_events(
    uow: UnitOfWork, scope: Scope, page: PageRequest, filters: AuditFilter
) -> Page[AuditEvent]:
    """The trail, oldest first, filtered by resident, actor, action, period and request."""
    enforce(can_read_audit(scope), "audit event not found")
    if (
        filters.occurred_from is not None
        and filters.occurred_to is not None
        and filters.occurred_to <= filters.occurred_from
    ):
        raise InvalidInput.field("to", "must lie after 'from'", code="period")
    return await uow.audit.list(page, filters)
