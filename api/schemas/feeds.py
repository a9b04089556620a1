"""Change feeds on the wire: purpose-built for the system that polls them (DESIGN.md §6: minimal views
per integrator), never the staff models with fields blanked."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiInput, ApiModel, write_json
from api.schemas.signals import SignalReceipt
from domain.agenda import AddresseeAnswer, AgendaStatus, AgendaTheme, ChangeKind
from domain.casework import Priority
from domain.feeds import AddresseeItem, AgendaFeedEntry, FeedPage, SignalFeedEntry, WijkLabel
from domain.signals import SignalChangeKind, SignalStatus

CURSOR_DESCRIPTION = (
    "The `nextCursor` of your previous call; leave it out to start from the beginning. Keep the last cursor "
    "you processed (it survives restarts on both sides) and pass it on every poll."
)


class FeedChange(StrEnum):
    """What happened, as the addressee sees it."""

    created = "created"  # put on your agenda
    updated = "updated"
    withdrawn = "withdrawn"  # tombstone: remove it
    deleted = "deleted"  # tombstone: remove it


FEED_CHANGES = {
    ChangeKind.created: FeedChange.created,
    ChangeKind.submitted: FeedChange.created,
    ChangeKind.updated: FeedChange.updated,
    ChangeKind.withdrawn: FeedChange.withdrawn,
    ChangeKind.deleted: FeedChange.deleted,
}
TOMBSTONES = frozenset({FeedChange.withdrawn, FeedChange.deleted})


class WijkLabelRead(ApiModel):
    code: str = Field(description="CBS wijk code.", examples=["WK010601"])
    name: str
    municipality_code: str

    @classmethod
    def of(cls, wijk: WijkLabel) -> WijkLabelRead:
        return cls(code=wijk.code, name=wijk.name, municipality_code=wijk.municipality_code)


class PoliceAgendaItem(ApiModel):
    """An agenda item as the police's system gets it: the issue and the answers. No resident data, no
    names of who raised it, no links to the koppel's own work."""

    id: UUID
    version: int = Field(description="Also the item's ETag: send it as `If-Match` with an answer.")
    wijk: WijkLabelRead
    title: str
    description: str
    theme: AgendaTheme
    priority: Priority
    status: AgendaStatus
    addressee_reference: str | None = Field(description="Your own reference, once you attached it.")
    response: str | None = Field(description="Your answer.")
    submitted_at: datetime | None = Field(description="When the koppel put it on your agenda.")
    closed_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, item: AddresseeItem) -> PoliceAgendaItem:
        return cls(
            id=item.id,
            version=item.version,
            wijk=WijkLabelRead.of(item.wijk),
            title=item.title,
            description=item.description,
            theme=item.theme,
            priority=item.priority,
            status=item.status,
            addressee_reference=item.addressee_reference,
            response=item.response,
            submitted_at=item.submitted_at,
            closed_at=item.closed_at,
            updated_at=item.updated_at,
        )


class AgendaFeedEntryRead(ApiModel):
    sequence: int = Field(description="The change's position in the feed; strictly increasing.")
    change: FeedChange = Field(
        description="created: put on your agenda; updated: changed or answered; withdrawn, deleted: tombstones, "
        "remove the item."
    )
    agenda_item_id: UUID
    item_version: int = Field(description="The item's version right after this change.")
    status: AgendaStatus = Field(description="The item's status right after this change.")
    occurred_at: datetime
    item: PoliceAgendaItem | None = Field(
        description="The item as it is now (a later change may follow); null on tombstones."
    )
    withdrawal_reason: str | None = Field(description="Why the koppel withdrew it (withdrawn only).")

    @classmethod
    def of(cls, entry: AgendaFeedEntry) -> AgendaFeedEntryRead:
        change = FEED_CHANGES[entry.change.kind]
        tombstone = change in TOMBSTONES
        return cls(
            sequence=entry.change.sequence or 0,
            change=change,
            agenda_item_id=entry.change.agenda_item_id,
            item_version=entry.change.item_version,
            status=entry.change.status,
            occurred_at=entry.change.occurred_at,
            item=None if tombstone or entry.item is None else PoliceAgendaItem.of(entry.item),
            withdrawal_reason=entry.item.withdrawal_reason if change is FeedChange.withdrawn and entry.item else None,
        )


class AgendaFeed(ApiModel):
    """Changes after your cursor, oldest first."""

    items: list[AgendaFeedEntryRead]
    next_cursor: str = Field(description="Pass as `since` next time (also when `items` is empty).")
    has_more: bool = Field(description="More changes are waiting: poll again right away.")

    @classmethod
    def of(cls, page: FeedPage[AgendaFeedEntry]) -> AgendaFeed:
        return cls(items=[AgendaFeedEntryRead.of(e) for e in page.entries], next_cursor=page.cursor, has_more=page.has_more)

    @staticmethod
    def json_of(page: FeedPage[AgendaFeedEntry]) -> bytes:
        """The same bytes as serialising `of(page)`, written straight from the domain objects (a police
        system catching up reads pages of 500); tests/unit/test_feed_json.py holds the two equal."""
        return write_json(
            {"items": [_entry_json(e) for e in page.entries], "nextCursor": page.cursor, "hasMore": page.has_more}
        )


def _entry_json(entry: AgendaFeedEntry) -> dict[str, Any]:
    # Keys in the order of AgendaFeedEntryRead's fields, as pydantic writes them.
    change = FEED_CHANGES[entry.change.kind]
    item = entry.item
    return {
        "sequence": entry.change.sequence or 0,
        "change": change,
        "agendaItemId": entry.change.agenda_item_id,
        "itemVersion": entry.change.item_version,
        "status": entry.change.status,
        "occurredAt": entry.change.occurred_at,
        "item": None if change in TOMBSTONES or item is None else _police_item_json(item),
        "withdrawalReason": item.withdrawal_reason if change is FeedChange.withdrawn and item else None,
    }


def _police_item_json(item: AddresseeItem) -> dict[str, Any]:
    # Keys in the order of PoliceAgendaItem's fields.
    return {
        "id": item.id,
        "version": item.version,
        "wijk": {"code": item.wijk.code, "name": item.wijk.name, "municipalityCode": item.wijk.municipality_code},
        "title": item.title,
        "description": item.description,
        "theme": item.theme,
        "priority": item.priority,
        "status": item.status,
        "addresseeReference": item.addressee_reference,
        "response": item.response,
        "submittedAt": item.submitted_at,
        "closedAt": item.closed_at,
        "updatedAt": item.updated_at,
    }


class AgendaAnswerCreate(ApiInput):
    """Take the item up, finish or refuse it, and/or attach your reference. Sending what the item already
    says changes nothing."""

    status: AgendaStatus | None = Field(
        default=None,
        description="in_behandeling (taken up), afgehandeld or afgewezen (both need a `response`); leave it out "
        "to attach a reference or response only.",
    )
    response: str | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="Your answer; checked for personal data (BSN, phone, e-mail, postcode + house number).",
    )
    addressee_reference: str | None = Field(default=None, min_length=1, max_length=100, description="Your own case number.")

    def to_domain(self) -> AddresseeAnswer:
        return AddresseeAnswer(self.status, self.response, self.addressee_reference)


class SignalFeedEntryRead(ApiModel):
    sequence: int = Field(description="The change's position in the feed; strictly increasing.")
    change: SignalChangeKind = Field(
        description="created: recorded; updated: what it says was corrected; status_changed: moved to another status."
    )
    signal_id: UUID
    signal_version: int = Field(description="The signal's version right after this change.")
    status: SignalStatus = Field(description="The signal's status right after this change.")
    occurred_at: datetime
    signal: SignalReceipt = Field(description="The signal as it is now (a later change may follow).")

    @classmethod
    def of(cls, entry: SignalFeedEntry) -> SignalFeedEntryRead:
        return cls(
            sequence=entry.change.sequence or 0,
            change=entry.change.kind,
            signal_id=entry.change.signal_id,
            signal_version=entry.change.signal_version,
            status=entry.change.status,
            occurred_at=entry.change.occurred_at,
            signal=SignalReceipt.of(entry.signal),
        )


class SignalFeed(ApiModel):
    """Changes to your organisation's signals after your cursor, oldest first."""

    items: list[SignalFeedEntryRead]
    next_cursor: str = Field(description="Pass as `since` next time (also when `items` is empty).")
    has_more: bool = Field(description="More changes are waiting: poll again right away.")

    @classmethod
    def of(cls, page: FeedPage[SignalFeedEntry]) -> SignalFeed:
        return cls(items=[SignalFeedEntryRead.of(e) for e in page.entries], next_cursor=page.cursor, has_more=page.has_more)
