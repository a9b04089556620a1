"""Open311 GeoReport v2 in the domain's terms, without a database: addresses in free text, a request's
parameters as a signal, the derived reference, and the read-back query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import InvalidInput
from domain.geo import Address, GeoPoint
from domain.open311 import (
    DEFAULT_WINDOW,
    SERVICES,
    derived_reference,
    in_open311_terms,
    is_open,
    new_signal,
    parse_address,
    request_query,
)
from domain.signals import SignalCategory, SignalStatus

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Oosterstraat 12A, 9401 AB Assen", Address("9401AB", 12, "A")),
        ("9401AB 12", Address("9401AB", 12, None)),
        ("9401 ab, Oosterstraat 7-2", Address("9401AB", 7, "2")),
        ("Oosterstraat 103 bis 9401AB", Address("9401AB", 103, "bis")),
    ],
)
def test_an_address_in_free_text(text: str, address: Address) -> None:
    assert parse_address(text) == address


@pytest.mark.parametrize("text", ["Oosterstraat 12, Assen", "9401AB Assen", "0401AB 12"])
def test_an_address_needs_a_postcode_and_a_house_number(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_address(text)
    assert refused.value.params[0].name == "address_string"


def test_a_request_becomes_a_signal_placed_later_by_its_location() -> None:
    signal = new_signal(
        {"service_code": "onderhoud", "lat": "52.99", "long": "6.58", "description": " Lekkage ", "email": "a@b.nl"}
    )
    assert (signal.wijk_id, signal.category, signal.description, signal.point) == (
        None,
        SignalCategory.onderhoud,
        "Lekkage",
        GeoPoint(52.99, 6.58),
    )
    assert signal.external_reference == derived_reference(
        {"service_code": "onderhoud", "lat": "52.99", "long": "6.58", "description": " Lekkage "}
    )
    assert "a@b.nl" not in repr(signal)  # the reporter's personal fields are not kept
    own = new_signal({"service_code": "onderhoud", "address_string": "9401AB 1", "description": "x", "attribute[reference]": "FMS-1"})
    assert own.external_reference == "FMS-1" and own.address == Address("9401AB", 1, None)


def test_the_derived_reference_follows_what_is_reported_not_who_sends_it() -> None:
    base = {"service_code": "onderhoud", "address_string": "9401AB 1", "description": "Lekkage"}
    assert derived_reference(base) == derived_reference({**base, "api_key": "other", "email": "x@y.nl"})
    assert derived_reference(base) != derived_reference({**base, "description": "Schimmel"})
    assert derived_reference(base).startswith("open311-") and len(derived_reference(base)) <= 100


def test_errors_name_the_open311_parameters() -> None:
    error = InvalidInput.field("location.address.postcode", "does not lie in a wijk your organisation serves")
    assert in_open311_terms(error).params[0].name == "address_string"
    assert in_open311_terms(InvalidInput.field("category", "x")).params[0].name == "service_code"


def test_the_read_back_query() -> None:
    default = request_query({}, NOW)
    assert default.start == NOW - DEFAULT_WINDOW and default.end is None and len(default.statuses) == len(SignalStatus)
    ids = [uuid4(), uuid4()]
    by_id = request_query({"service_request_id": f"{ids[0]}, {ids[1]}", "status": "closed"}, NOW)
    assert by_id.ids == tuple(ids) and by_id.start is None
    assert set(by_id.statuses) == {SignalStatus.afgehandeld, SignalStatus.afgewezen}
    period = request_query({"start_date": "2026-01-01T00:00:00+01:00", "end_date": "2026-02-01T00:00:00Z"}, NOW)
    assert period.end - period.start == timedelta(days=31, hours=1)  # type: ignore[operator]
    for params, name in [
        ({"end_date": "2026-01-01T00:00:00Z", "start_date": "2026-02-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01"}, "start_date"),
        ({"service_request_id": ",".join(str(uuid4()) for _ in range(51))}, "service_request_id"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            request_query(params, NOW)
        assert refused.value.params[0].name == name


def test_every_category_is_a_service_and_closed_means_final() -> None:
    assert set(SERVICES) == set(SignalCategory)
    assert [s for s in SignalStatus if not is_open(s)] == [SignalStatus.afgehandeld, SignalStatus.afgewezen]
