"""Pages of signals and of contact moments, the answer to a batch of signals and a read resident are written
straight from the domain objects (SignalPage.json_of, contact_moments_json, SignalBatchRead.json_of,
resident_json); they must be byte for byte what pydantic writes for the documented models (SignalRead for
the koppel, SignalReceipt for a housing system, ContactMomentRead, ResidentRead):
every optional field empty or filled, links in any order, any timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from api.schemas.common import PageOf
from api.schemas.contact_moments import ContactMomentRead, contact_moments_json
from api.schemas.residents import ResidentRead, resident_json
from api.schemas.signals import SignalBatchRead, SignalPage, SignalRead, SignalReceipt, result_of
from domain.casework import Actor, Priority
from domain.contact_moments import ContactKind, ContactMoment
from domain.errors import Conflict, InvalidInput, NotFound
from domain.geo import Address, GeoPoint
from domain.identity import PrincipalKind
from domain.residents import Address as ResidentAddress
from domain.residents import Resident
from domain.signals import BatchOutcome, Intake, Signal, SignalCategory, SignalSource, SignalStatus

instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
texts = st.text(max_size=30)

signals = st.builds(
    Signal,
    id=st.uuids(),
    wijk_id=st.uuids(),
    source=st.sampled_from(SignalSource),
    category=st.sampled_from(SignalCategory),
    description=texts,
    urgency=st.sampled_from(Priority),
    address=st.none() | st.builds(Address, texts, st.integers(1, 99_999), st.none() | texts),
    point=st.none() | st.builds(GeoPoint, st.floats(-90, 90), st.floats(-180, 180)),
    status=st.sampled_from(SignalStatus),
    submitted_by_organisation_id=st.uuids(),
    external_reference=st.none() | texts,
    recorded_by=st.builds(Actor, st.sampled_from(PrincipalKind), st.uuids(), texts),
    first_action_at=st.none() | instants,
    closed_at=st.none() | instants,
    version=st.integers(1, 1000),
    created_at=instants,
    updated_at=instants,
    intervention_ids=st.frozensets(st.uuids(), max_size=3),
    agenda_item_ids=st.frozensets(st.uuids(), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(signals, max_size=6), st.none() | st.text(max_size=20), st.booleans())
def test_the_written_page_is_what_pydantic_writes(page: list[Signal], cursor: str | None, receipts: bool) -> None:
    view = SignalReceipt.of if receipts else SignalRead.of
    model = SignalPage(items=[view(s) for s in page], next_cursor=cursor)
    assert SignalPage.json_of(page, cursor, receipts) == TypeAdapter(SignalPage).dump_json(model, by_alias=True)


moments = st.builds(
    ContactMoment,
    id=st.uuids(),
    wijk_id=st.uuids(),
    koppel_id=st.uuids(),
    kind=st.sampled_from(ContactKind),
    occurred_at=instants,
    place=st.none() | texts,
    summary=st.none() | texts,
    resident_ids=st.frozensets(st.uuids(), max_size=4),
    recorded_by=st.builds(Actor, st.sampled_from(PrincipalKind), st.uuids(), texts),
    redacted_at=st.none() | instants,
    version=st.integers(1, 1000),
    created_at=instants,
    updated_at=instants,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(moments, max_size=6), st.none() | st.text(max_size=20))
def test_a_page_of_contact_moments_is_what_pydantic_writes(page: list[ContactMoment], cursor: str | None) -> None:
    model = PageOf[ContactMomentRead](items=[ContactMomentRead.of(m) for m in page], next_cursor=cursor)
    expected = TypeAdapter(PageOf[ContactMomentRead]).dump_json(model, by_alias=True)
    assert contact_moments_json(page, cursor) == expected


errors = (
    st.builds(InvalidInput.field, texts, texts, texts)
    | st.builds(NotFound, texts)
    | st.builds(Conflict, texts)
)
outcomes = st.lists(
    st.tuples(st.none() | st.builds(Intake, signals, st.booleans()), errors),
    max_size=6,
).map(lambda items: [BatchOutcome(i, intake, None if intake else error) for i, (intake, error) in enumerate(items)])


@settings(max_examples=300, deadline=None)
@given(outcomes)
def test_the_written_batch_answer_is_what_pydantic_writes(batch: list[BatchOutcome]) -> None:
    results = [result_of(o) for o in batch]
    model = SignalBatchRead(
        created=sum(1 for r in results if r.outcome == "created"),
        existing=sum(1 for r in results if r.outcome == "existing"),
        rejected=sum(1 for r in results if r.outcome == "rejected"),
        results=results,
    )
    assert SignalBatchRead.json_of(batch) == TypeAdapter(SignalBatchRead).dump_json(model, by_alias=True)


residents = st.builds(
    Resident,
    id=st.uuids(),
    wijk_id=st.uuids(),
    given_name=st.none() | texts,
    family_name=st.none() | texts,
    address=st.none() | st.builds(ResidentAddress, texts, st.integers(1, 99_999), st.none() | texts, st.none() | texts),
    phone=st.none() | texts,
    email=st.none() | texts,
    birth_year=st.none() | st.integers(1900, 2030),
    is_key_figure=st.booleans(),
    languages=st.lists(texts, max_size=3).map(tuple),
    last_activity_at=instants,
    anonymised_at=st.none() | instants,
    version=st.integers(1, 1000),
    created_at=instants,
    updated_at=instants,
)


@settings(max_examples=300, deadline=None)
@given(residents)
def test_the_written_resident_is_what_pydantic_writes(resident: Resident) -> None:
    assert resident_json(resident) == ResidentRead.of(resident).model_dump_json(by_alias=True).encode()
