"""persistence.types.read_entity builds what the dataclass's own __init__ builds, for the entities it is
used for: equal, equally hashable, as frozen, of the same type, with every field set."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agenda import Addressee, AddresseeKind, AgendaItemChange, AgendaStatus, AgendaTheme, ChangeKind
from domain.casework import Actor, Priority
from domain.feeds import AddresseeItem, AgendaFeedEntry, WijkLabel
from domain.geo import Address, GeoPoint
from domain.identity import PrincipalKind
from domain.signals import Signal, SignalCategory, SignalSource, SignalStatus
from persistence.casework import _addressee_item, _agenda_change, _signal
from persistence.types import read_entity

instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
signal_fields = st.fixed_dictionaries({
    "id": st.uuids(),
    "wijk_id": st.uuids(),
    "source": st.sampled_from(SignalSource),
    "category": st.sampled_from(SignalCategory),
    "description": st.text(max_size=20),
    "urgency": st.sampled_from(Priority),
    "address": st.none() | st.builds(Address, st.text(max_size=6), st.integers(1, 99_999), st.none() | st.text(max_size=3)),
    "point": st.none() | st.builds(GeoPoint, st.floats(-90, 90), st.floats(-180, 180)),
    "status": st.sampled_from(SignalStatus),
    "submitted_by_organisation_id": st.uuids(),
    "external_reference": st.none() | st.text(max_size=10),
    "recorded_by": st.builds(Actor, st.sampled_from(PrincipalKind), st.uuids(), st.text(max_size=10)),
    "first_action_at": st.none() | instants,
    "closed_at": st.none() | instants,
    "version": st.integers(1, 1000),
    "created_at": instants,
    "updated_at": instants,
    "intervention_ids": st.frozensets(st.uuids(), max_size=3),
    "agenda_item_ids": st.frozensets(st.uuids(), max_size=3),
})


@pytest.mark.parametrize(
    "cls", [Signal, Actor, Address, GeoPoint, AgendaItemChange, Addressee, AddresseeItem, AgendaFeedEntry]
)
def test_it_is_used_only_where_init_does_nothing_more(cls: type) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen and not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")


@settings(max_examples=200, deadline=None)
@given(signal_fields)
def test_a_signal_read_is_the_signal_built(fields: dict[str, object]) -> None:
    built, read = Signal(**fields), read_entity(Signal, **fields)  # type: ignore[arg-type]
    assert type(read) is Signal and read == built and hash(read) == hash(built)
    assert dataclasses.asdict(read) == dataclasses.asdict(built)
    assert set(vars(read)) == {f.name for f in dataclasses.fields(Signal)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.version = 2  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(signal_fields)
def test_a_signal_row_maps_to_every_field(fields: dict[str, object]) -> None:
    s = Signal(**fields)  # type: ignore[arg-type]
    row = {
        **{f.name: getattr(s, f.name) for f in dataclasses.fields(Signal)},
        "source": s.source.value, "category": s.category.value, "urgency": s.urgency.value, "status": s.status.value,
        "location_postcode": s.address.postcode if s.address else None,
        "location_house_number": s.address.house_number if s.address else None,
        "location_house_number_addition": s.address.house_number_addition if s.address else None,
        "location_latitude": s.point.latitude if s.point else None,
        "location_longitude": s.point.longitude if s.point else None,
        "recorded_by_user_id": s.recorded_by.id if s.recorded_by.kind is PrincipalKind.user else None,
        "recorded_by_client_id": s.recorded_by.id if s.recorded_by.kind is PrincipalKind.client else None,
        "actor_name": s.recorded_by.display_name,
    }
    assert _signal(row, s.intervention_ids, s.agenda_item_ids) == s


texts = st.none() | st.text(max_size=10)
change_fields = st.fixed_dictionaries({
    "agenda_item_id": st.uuids(),
    "kind": st.sampled_from(ChangeKind),
    "status": st.sampled_from(AgendaStatus),
    "wijk_id": st.uuids(),
    "addressee": st.builds(Addressee, st.sampled_from(AddresseeKind), st.none() | st.uuids()),
    "item_version": st.integers(1, 1000),
    "occurred_at": instants,
    "sequence": st.integers(1, 10**9),
    "submitted": st.booleans(),
})
item_fields = st.fixed_dictionaries({
    "id": st.uuids(),
    "version": st.integers(1, 1000),
    "wijk": st.builds(WijkLabel, st.text(max_size=8), st.text(max_size=10), st.text(max_size=6)),
    "title": st.text(max_size=10),
    "description": st.text(max_size=10),
    "theme": st.sampled_from(AgendaTheme),
    "priority": st.sampled_from(Priority),
    "status": st.sampled_from(AgendaStatus),
    "addressee_reference": texts,
    "response": texts,
    "withdrawal_reason": texts,
    "submitted_at": st.none() | instants,
    "closed_at": st.none() | instants,
    "updated_at": instants,
})


@settings(max_examples=200, deadline=None)
@given(change_fields, st.none() | item_fields)
def test_a_feed_row_maps_to_every_field_of_the_change_and_the_item(change: dict[str, object], item: dict[str, object] | None) -> None:
    c = AgendaItemChange(**change)  # type: ignore[arg-type]
    i = AddresseeItem(**item) if item is not None else None  # type: ignore[arg-type]
    row: dict[str, object] = {
        **{f.name: getattr(c, f.name) for f in dataclasses.fields(AgendaItemChange)},
        "kind": c.kind.value, "status": c.status.value, "change_seq": c.sequence,
        "addressee_kind": c.addressee.kind.value, "addressee_organisation_id": c.addressee.organisation_id,
        **{f"now_{f.name}": getattr(i, f.name) if i else None for f in dataclasses.fields(AddresseeItem)},
    }
    if i is not None:
        row |= {"now_theme": i.theme.value, "now_priority": i.priority.value, "now_status": i.status.value,
                "wijk_code": i.wijk.code, "wijk_name": i.wijk.name, "wijk_municipality_code": i.wijk.municipality_code}
    read_change, read_item = _agenda_change(row), _addressee_item(row, {})
    assert type(read_change) is AgendaItemChange and read_change == c and hash(read_change) == hash(c)
    assert set(vars(read_change)) == {f.name for f in dataclasses.fields(AgendaItemChange)}
    assert read_item == i and (read_item is None or set(vars(read_item)) == {f.name for f in dataclasses.fields(AddresseeItem)})
    entry = read_entity(AgendaFeedEntry, change=read_change, item=read_item)
    assert entry == AgendaFeedEntry(c, i) and hash(entry) == hash(AgendaFeedEntry(c, i))
