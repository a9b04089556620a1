"""The police feed's page is written straight from the domain objects (AgendaFeed.json_of); it must be
byte for byte what pydantic writes for the documented model (AgendaFeed.of), or the ETags and the
document would drift apart. Every kind of change, with and without an item, every optional field
empty or filled, timestamps with and without microseconds."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from api.schemas.feeds import AgendaFeed
from domain.agenda import Addressee, AddresseeKind, AgendaItemChange, AgendaStatus, AgendaTheme, ChangeKind
from domain.casework import Priority
from domain.feeds import AddresseeItem, AgendaFeedEntry, FeedPage, WijkLabel

instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
texts = st.text(max_size=40)
optional_texts = st.none() | texts

items = st.builds(
    AddresseeItem,
    id=st.uuids(),
    version=st.integers(1, 10_000),
    wijk=st.builds(WijkLabel, code=texts, name=texts, municipality_code=texts),
    title=texts,
    description=texts,
    theme=st.sampled_from(AgendaTheme),
    priority=st.sampled_from(Priority),
    status=st.sampled_from(AgendaStatus),
    addressee_reference=optional_texts,
    response=optional_texts,
    withdrawal_reason=optional_texts,
    submitted_at=st.none() | instants,
    closed_at=st.none() | instants,
    updated_at=instants,
)
changes = st.builds(
    AgendaItemChange,
    agenda_item_id=st.uuids(),
    kind=st.sampled_from(ChangeKind),
    status=st.sampled_from(AgendaStatus),
    wijk_id=st.uuids(),
    addressee=st.builds(Addressee, st.sampled_from(AddresseeKind), st.none() | st.uuids()),
    item_version=st.integers(1, 10_000),
    occurred_at=instants,
    sequence=st.none() | st.integers(1, 2**40),
    submitted=st.booleans(),
)
pages = st.builds(
    FeedPage,
    entries=st.lists(st.builds(AgendaFeedEntry, changes, st.none() | items), max_size=8),
    cursor=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=30),
    has_more=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(pages)
def test_the_written_page_is_what_pydantic_writes(page: FeedPage[AgendaFeedEntry]) -> None:
    assert AgendaFeed.json_of(page) == TypeAdapter(AgendaFeed).dump_json(AgendaFeed.of(page), by_alias=True)
