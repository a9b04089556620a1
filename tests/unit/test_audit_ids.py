"""Audit events carry time-ordered ids (UUIDv7), so the trail's primary key grows at one edge."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from domain.audit import SYSTEM, AuditAction, audit_event, new_event_id


def test_event_ids_are_version_7_and_ordered_by_creation() -> None:
    ids = [new_event_id() for _ in range(2000)]
    assert {i.version for i in ids} == {7}
    assert len(set(ids)) == len(ids)
    # The first 48 bits are the millisecond of creation: never decreasing from one id to the next.
    stamps = [i.int >> 80 for i in ids]
    assert stamps == sorted(stamps)


def test_an_event_gets_such_an_id() -> None:
    event = audit_event(SYSTEM, AuditAction.read, uuid4(), datetime.now(UTC))
    assert event.id.version == 7
