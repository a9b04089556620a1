"""The integrations' rules without a database: feed cursors, postcode ranges and placing a location in
a served wijk, the addressee's answers, how moves enter the agenda log, and a corporation's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.agenda import AddresseeAnswer, AgendaStatus, ChangeKind, check_answer, move_kind
from domain.casework_policies import can_submit_signal, can_submit_signals
from domain.errors import InvalidInput
from domain.feeds import MAX_LIMIT, FeedPage, check_limit, decode_cursor, encode_cursor, page_of
from domain.geo import Address, GeoPoint
from domain.identity import Principal, PrincipalKind, Role
from domain.scope import Outcome, ReachableWijk, ScopeFacts, compute_scope
from domain.wijken import PostcodeRange, Wijk, check_postcode_ranges, locate_wijk

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TODAY = date(2026, 3, 1)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[6.50, 52.90], [6.60, 52.90], [6.60, 53.00], [6.50, 53.00], [6.50, 52.90]]],
}


def wijk(code: str, ranges: tuple[PostcodeRange, ...] = (), boundary: dict | None = None) -> Wijk:  # type: ignore[type-arg]
    return Wijk(uuid4(), code, code, "GM0106", (), boundary, frozenset(), True, 1, NOW, NOW, ranges)


# --- cursors -----------------------------------------------------------------------------------


def test_a_cursor_names_its_feed_and_position() -> None:
    cursor = encode_cursor("agenda-items", 42)
    assert decode_cursor("agenda-items", cursor) == 42
    assert decode_cursor("agenda-items", None) == 0
    for feed, bad in [("signals", cursor), ("agenda-items", "%%%"), ("agenda-items", encode_cursor("agenda-items", -3))]:
        with pytest.raises(InvalidInput) as refused:
            decode_cursor(feed, bad)
        assert refused.value.params[0].name == "since"


def test_a_page_resumes_after_its_last_entry_or_stays_put() -> None:
    full: FeedPage[str] = page_of("signals", ["a", "b", "c"], [5, 9, 12], since=3, limit=2)
    assert full.entries == ["a", "b"] and full.has_more and decode_cursor("signals", full.cursor) == 9
    empty: FeedPage[str] = page_of("signals", [], [], since=12, limit=2)
    assert empty.entries == [] and not empty.has_more and decode_cursor("signals", empty.cursor) == 12
    assert check_limit(MAX_LIMIT) == MAX_LIMIT
    with pytest.raises(InvalidInput):
        check_limit(MAX_LIMIT + 1)


# --- postcode ranges and placing a location ----------------------------------------------------


def test_postcode_ranges_take_postcodes_and_whole_areas() -> None:
    ranges = check_postcode_ranges(
        [{"from_postcode": "9402", "to_postcode": "9403"}, {"from_postcode": "9401 ab", "to_postcode": "9401AZ"}]
    )
    assert ranges == (PostcodeRange("9401AB", "9401AZ"), PostcodeRange("9402AA", "9403ZZ"))
    assert ranges[1].covers("9402MN") and ranges[1].covers("9403ZZ") and not ranges[1].covers("9404AA")
    assert not ranges[0].covers("9401AA") and ranges[0].covers("9401AB")
    for given, name in [
        ({"from_postcode": "9403", "to_postcode": "9402"}, "postcodeRanges.0"),
        ({"from_postcode": "0401", "to_postcode": "9402"}, "postcodeRanges.0.fromPostcode"),
        ({"from_postcode": "9401", "to_postcode": None}, "postcodeRanges.0.toPostcode"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            check_postcode_ranges([given])
        assert refused.value.params[0].name == name
    with pytest.raises(InvalidInput):
        check_postcode_ranges([{"from_postcode": "9401", "to_postcode": "9401"}] * 201)


def test_a_location_is_placed_in_the_one_served_wijk_it_lies_in() -> None:
    oost = wijk("WK010601", (PostcodeRange("9401AA", "9401ZZ"),), SQUARE)
    pittelo = wijk("WK010602", (PostcodeRange("9402AA", "9402ZZ"),))
    served = [oost, pittelo]
    inside, outside = GeoPoint(52.95, 6.55), GeoPoint(52.5, 6.0)
    assert locate_wijk(Address("9402AB", 1), None, served) is pittelo
    assert locate_wijk(None, inside, served) is oost
    # the point decides when it lies in a boundary; the address otherwise
    assert locate_wijk(Address("9402AB", 1), inside, served) is oost
    assert locate_wijk(Address("9402AB", 1), outside, served) is pittelo
    for address, point, name, code in [
        (Address("9999ZZ", 1), None, "location.address.postcode", "outside_service_area"),
        (None, outside, "location.point", "outside_service_area"),
        (Address("9401AB", 1), None, "location.address.postcode", "ambiguous_wijk"),
    ]:
        overlapping = [*served, wijk("WK010603", (PostcodeRange("9401AA", "9401AZ"),))]
        with pytest.raises(InvalidInput) as refused:
            locate_wijk(address, point, overlapping)
        assert (refused.value.params[0].name, refused.value.params[0].code) == (name, code)
    # overlapping ranges are settled by a point inside one boundary
    assert locate_wijk(Address("9401AB", 1), inside, [*served, wijk("WK010603", (PostcodeRange("9401AA", "9401AZ"),))]) is oost


# --- the agenda: answers and the change log -------------------------------------------------------


def test_an_answer_says_something_the_addressee_may_say() -> None:
    assert check_answer(AddresseeAnswer(AgendaStatus.in_behandeling, "  ", " BVH-1 ")) == AddresseeAnswer(
        AgendaStatus.in_behandeling, None, "BVH-1"
    )
    for answer, name in [
        (AddresseeAnswer(), "status"),
        (AddresseeAnswer(AgendaStatus.geagendeerd), "status"),
        (AddresseeAnswer(AgendaStatus.ingetrokken), "status"),
        (AddresseeAnswer(response="Mail naar jan@example.nl"), "response"),
        (AddresseeAnswer(addressee_reference="x" * 101), "addresseeReference"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            check_answer(answer)
        assert refused.value.params[0].name == name


def test_how_moves_enter_the_agenda_log() -> None:
    A = AgendaStatus
    assert move_kind(A.concept, A.geagendeerd) is ChangeKind.submitted
    assert move_kind(A.concept, A.ingetrokken) is ChangeKind.withdrawn
    assert move_kind(A.in_behandeling, A.ingetrokken) is ChangeKind.withdrawn
    assert move_kind(A.geagendeerd, A.in_behandeling) is ChangeKind.updated
    assert move_kind(A.in_behandeling, A.afgehandeld) is ChangeKind.updated


# --- a corporation's scope -------------------------------------------------------------------------


def test_a_corporations_system_submits_in_the_wijken_it_serves() -> None:
    served, other = uuid4(), uuid4()
    housing = Principal(PrincipalKind.client, uuid4(), Role.housing_system, uuid4())
    scope = compute_scope(housing, ScopeFacts(wijken=(ReachableWijk(served, "GM0106"),)), TODAY)
    assert scope.wijk_ids == {served} and scope.own_organisation_only and scope.koppel_wijk_ids == frozenset()
    assert can_submit_signals(scope).allowed
    assert can_submit_signal(scope, served).allowed
    assert can_submit_signal(scope, other).outcome is Outcome.out_of_scope
    police = compute_scope(Principal(PrincipalKind.client, uuid4(), Role.police_system, uuid4()), ScopeFacts(), TODAY)
    assert can_submit_signals(police).outcome is Outcome.forbidden
