"""Change feeds for systems that poll: the police's agenda items, a housing corporation's signals.

A feed is a change log read in its own order: every change after the caller's cursor, oldest first,
with a new cursor to resume from. The logs are numbered in commit order (the store takes care of
that), so a change committed later never gets a position before one a caller already read: a client
that starts without a cursor and always passes the last cursor it got sees every change exactly once
and, applying them in order, holds exactly the current set. Withdrawn and deleted items arrive as
tombstones. Cursors are opaque, name their feed, and survive restarts (they are positions in the log).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from domain.agenda import AddresseeKind, AgendaItem, AgendaItemChange, AgendaStatus, AgendaTheme
from domain.casework import Priority
from domain.errors import Forbidden, InvalidInput
from domain.identity import Role
from domain.ports import UnitOfWork
from domain.scope import Scope
from domain.signals import SignalCategory, SignalChange, SignalSource, SignalStatus
from domain.wijken import Wijk

T = TypeVar("T")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
AGENDA_FEED = "agenda-items"
SIGNAL_FEED = "signals"


def encode_cursor(feed: str, sequence: int) -> str:
    """The opaque cursor for position `sequence` of `feed`."""
    raw = json.dumps([feed, sequence], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(feed: str, cursor: str | None) -> int:
    """The position a cursor of `feed` stands for (0 without a cursor); 400 on `since` otherwise."""
    if cursor is None:
        return 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput.field("since", "not a cursor of this feed", code="invalid_cursor") from exc
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or raw[0] != feed
        or not isinstance(raw[1], int)
        or isinstance(raw[1], bool)
        or not 0 <= raw[1] < 2**63
    ):
        raise InvalidInput.field("since", "not a cursor of this feed", code="invalid_cursor")
    return raw[1]


def check_limit(limit: int) -> int:
    """At most MAX_LIMIT changes per call."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.field("limit", f"between 1 and {MAX_LIMIT}", code="range")
    return limit


@dataclass(frozen=True)
class FeedPage(Generic[T]):
    """Changes after the caller's cursor, oldest first; `cursor` resumes after the last of them (or
    stays where it was when there were none); `has_more`: call again right away."""

    entries: list[T]
    cursor: str
    has_more: bool


def page_of(feed: str, entries: list[T], sequences: list[int], since: int, limit: int) -> FeedPage[T]:
    """A page from up to `limit + 1` entries read after `since` (the extra one only tells there is more)."""
    shown = entries[:limit]
    last = sequences[len(shown) - 1] if shown else since
    return FeedPage(shown, encode_cursor(feed, last), len(entries) > limit)


# --- the police's agenda feed --------------------------------------------------------------------


@dataclass(frozen=True)
class WijkLabel:
    """How a system outside knows a wijk: its CBS code, name and municipality."""

    code: str
    name: str
    municipality_code: str

    @classmethod
    def of(cls, wijk: Wijk) -> WijkLabel:
        return cls(wijk.code, wijk.name, wijk.municipality_code)


@dataclass(frozen=True)
class AddresseeItem:
    """What an addressee's system gets of an agenda item: the issue and the answers, never the koppel's
    internal links, the names of who raised it, or anything about residents."""

    id: UUID
    version: int
    wijk: WijkLabel
    title: str
    description: str
    theme: AgendaTheme
    priority: Priority
    status: AgendaStatus
    addressee_reference: str | None
    response: str | None
    withdrawal_reason: str | None
    submitted_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, item: AgendaItem, wijk: Wijk) -> AddresseeItem:
        return cls(
            id=item.id,
            version=item.version,
            wijk=WijkLabel.of(wijk),
            title=item.title,
            description=item.description,
            theme=item.theme,
            priority=item.priority,
            status=item.status,
            addressee_reference=item.addressee_reference,
            response=item.response,
            withdrawal_reason=item.withdrawal_reason,
            submitted_at=item.submitted_at,
            closed_at=item.closed_at,
            updated_at=item.updated_at,
        )


@dataclass(frozen=True)
class AgendaFeedEntry:
    """One change, with the item as it is now (None once it no longer exists)."""

    change: AgendaItemChange
    item: AddresseeItem | None


def can_follow_agenda_feed(scope: Scope) -> None:
    """The police system follows the agenda items addressed to the police (DESIGN.md §5)."""
    if scope.role is not Role.police_system:
        raise Forbidden("the agenda feed is for the police's system")


async def read_agenda_feed(uow: UnitOfWork, scope: Scope, cursor: str | None, limit: int) -> FeedPage[AgendaFeedEntry]:
    """Every change to agenda items addressed to the caller's police organisation (or to the police
    in general) from the moment they were put on the agenda: submissions, updates, answers, and
    withdrawals as tombstones, in commit order after `cursor`."""
    can_follow_agenda_feed(scope)
    since = decode_cursor(AGENDA_FEED, cursor)
    entries = await uow.agenda_items.feed(AddresseeKind.politie, scope.organisation_id, since, check_limit(limit) + 1)
    return page_of(AGENDA_FEED, entries, [e.change.sequence or 0 for e in entries], since, limit)


# --- a housing corporation's signal feed ---------------------------------------------------------


@dataclass(frozen=True)
class SignalProgress:
    """What a corporation's system reads back of its own signal: its progress, never the koppel's texts,
    names or links (the same fields as the receipt of GET /signals)."""

    id: UUID
    version: int
    external_reference: str | None
    wijk_id: UUID
    source: SignalSource
    category: SignalCategory
    urgency: Priority
    status: SignalStatus
    first_action_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SignalFeedEntry:
    """One change to one of the caller's signals, with the signal's progress as it is now."""

    change: SignalChange
    signal: SignalProgress


def can_follow_signal_feed(scope: Scope) -> None:
    """A housing corporation's system follows the progress of its own organisation's signals."""
    if scope.role is not Role.housing_system:
        raise Forbidden("the signal feed is for housing corporations' systems")


async def read_signal_feed(uow: UnitOfWork, scope: Scope, cursor: str | None, limit: int) -> FeedPage[SignalFeedEntry]:
    """Every change to signals the caller's organisation submitted — recorded, corrected, moved to
    another status — in commit order after `cursor`."""
    can_follow_signal_feed(scope)
    since = decode_cursor(SIGNAL_FEED, cursor)
    entries = await uow.signals.feed(scope.organisation_id, since, check_limit(limit) + 1)
    return page_of(SIGNAL_FEED, entries, [e.change.sequence or 0 for e in entries], since, limit)
