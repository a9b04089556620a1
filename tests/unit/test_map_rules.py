"""Domain rules of the map and the catalogue, without a database: periods, the activation rule,
CBS codes, GeoJSON boundaries, presence and offers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import pytest

from domain.categories import NeedCategory
from domain.dates import Period, local_today
from domain.errors import Conflict, InvalidInput
from domain.koppels import KoppelRole, Membership, check_complete, first_incomplete_day
from domain.offers import Offer, check_offer
from domain.presence import Presence, PresenceKind, Weekday, check_presence
from domain.wijken import check_boundary, check_buurten, check_wijk_code, check_wijk_municipality

D = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def field_of(error: pytest.ExceptionInfo[InvalidInput]) -> str:
    return error.value.params[0].name


# --- dates ---------------------------------------------------------------------------------------


def test_periods_are_half_open() -> None:
    period = Period(D, D + timedelta(days=3))
    assert period.covers(D) and period.covers(D + timedelta(days=2))
    assert not period.covers(D + timedelta(days=3)) and not period.covers(D - timedelta(days=1))
    assert Period(D).covers(date(2999, 1, 1))
    # touching periods do not overlap; sharing a day does
    assert not period.overlaps(Period(D + timedelta(days=3)))
    assert period.overlaps(Period(D + timedelta(days=2)))
    assert Period(D).overlaps(Period(D - timedelta(days=9), D + timedelta(days=1)))
    assert not Period(D, D).is_valid() and Period(D, D + timedelta(days=1)).is_valid()


def test_today_is_the_day_in_amsterdam_not_in_utc() -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Amsterdam (CET, UTC+1)
    assert local_today(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_today(datetime(2026, 3, 1, 22, 30, tzinfo=UTC)) == date(2026, 3, 1)


# --- the activation rule -------------------------------------------------------------------------


def member(role: KoppelRole, joined: date, left: date | None = None) -> Membership:
    return Membership(uuid4(), uuid4(), uuid4(), role, joined, left, 1, NOW, NOW)


def test_a_koppel_needs_a_wijkagent_and_an_opbouwwerker() -> None:
    agent = member(KoppelRole.wijkagent, D)
    worker = member(KoppelRole.opbouwwerker, D)
    beheerder = member(KoppelRole.wijkbeheerder, D)
    assert first_incomplete_day([agent, worker], Period(D), D) is None
    assert first_incomplete_day([agent, beheerder], Period(D), D) == (D, KoppelRole.opbouwwerker)
    assert first_incomplete_day([], Period(D), D) == (D, KoppelRole.wijkagent)


def test_a_gap_later_on_is_found_and_a_successor_closes_it() -> None:
    leaves = member(KoppelRole.wijkagent, D, D + timedelta(days=10))
    worker = member(KoppelRole.opbouwwerker, D)
    assert first_incomplete_day([leaves, worker], Period(D), D) == (
        D + timedelta(days=10),
        KoppelRole.wijkagent,
    )
    successor = member(KoppelRole.wijkagent, D + timedelta(days=10))
    assert first_incomplete_day([leaves, worker, successor], Period(D), D) is None
    late_successor = member(KoppelRole.wijkagent, D + timedelta(days=11))
    assert first_incomplete_day([leaves, worker, late_successor], Period(D), D) == (
        D + timedelta(days=10),
        KoppelRole.wijkagent,
    )
    with pytest.raises(Conflict, match="no wijkagent"):
        check_complete([leaves, worker], Period(D), D)


def test_the_past_and_days_after_the_koppel_ends_do_not_count() -> None:
    worker = member(KoppelRole.opbouwwerker, D)
    agent_from_today = member(KoppelRole.wijkagent, D + timedelta(days=5))
    today = D + timedelta(days=5)
    assert first_incomplete_day([worker, agent_from_today], Period(D), today) is None
    # the agent leaves on the day the koppel ends: no gap inside the period
    agent = member(KoppelRole.wijkagent, D, D + timedelta(days=20))
    assert first_incomplete_day([worker, agent], Period(D, D + timedelta(days=20)), D) is None
    # a koppel that already ended needs nobody
    assert first_incomplete_day([], Period(D, D + timedelta(days=1)), D + timedelta(days=2)) is None


# --- CBS codes and boundaries --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["WK010601", "WK036300"])
def test_valid_wijk_codes(code: str) -> None:
    check_wijk_code(code)


@pytest.mark.parametrize("code", ["WK01060", "WK0106011", "wk010601", "BU010601", "WKABCDEF", "WK 10601"])
def test_invalid_wijk_codes(code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_wijk_code(code)
    assert field_of(error) == "code"


def test_the_municipality_must_match_the_wijk_code() -> None:
    check_wijk_municipality("WK010601", "GM0106")
    with pytest.raises(InvalidInput) as error:
        check_wijk_municipality("WK010601", "GM0363")
    assert field_of(error) == "municipalityCode" and error.value.params[0].code == "mismatch"
    with pytest.raises(InvalidInput):
        check_wijk_municipality("WK010601", "GM106")


def test_buurten_belong_to_their_wijk() -> None:
    assert check_buurten(["BU01060102", "BU01060101"], "WK010601") == ("BU01060101", "BU01060102")
    with pytest.raises(InvalidInput) as error:
        check_buurten(["BU01060101", "BU01060201"], "WK010601")
    assert field_of(error) == "buurten.1" and error.value.params[0].code == "mismatch"
    with pytest.raises(InvalidInput) as error:
        check_buurten(["BU0106010"], "WK010601")
    assert field_of(error) == "buurten.0"
    with pytest.raises(InvalidInput) as error:
        check_buurten(["BU01060101", "BU01060101"], "WK010601")
    assert error.value.params[0].code == "duplicate"


SQUARE = [[6.55, 52.99], [6.58, 52.99], [6.58, 53.01], [6.55, 53.01], [6.55, 52.99]]


def test_valid_polygon_and_multipolygon() -> None:
    assert check_boundary({"type": "Polygon", "coordinates": [SQUARE]}) == {
        "type": "Polygon",
        "coordinates": [SQUARE],
    }
    check_boundary({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]})
    check_boundary({"type": "Polygon", "coordinates": [[[*p, 2.0] for p in SQUARE]]})  # with altitude
    assert check_boundary(None) is None


@pytest.mark.parametrize(
    ("boundary", "field", "code"),
    [
        ({"type": "Point", "coordinates": [6.5, 53.0]}, "boundary.type", "geojson_type"),
        ({"type": "Polygon", "coordinates": []}, "boundary.coordinates", "geojson_polygon"),
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, "boundary.coordinates.0", "geojson_ring"),
        ({"type": "Polygon", "coordinates": [SQUARE[:4]]}, "boundary.coordinates.0", "geojson_not_closed"),
        (
            {"type": "Polygon", "coordinates": [[*SQUARE[:2], [6.58, 93.0], *SQUARE[3:]]]},
            "boundary.coordinates.0.2",
            "geojson_range",
        ),
        (
            {"type": "Polygon", "coordinates": [[*SQUARE[:2], ["6.58", 53.0], *SQUARE[3:]]]},
            "boundary.coordinates.0.2",
            "geojson_position",
        ),
        (
            {"type": "Polygon", "coordinates": [[*SQUARE[:2], [True, 53.0], *SQUARE[3:]]]},
            "boundary.coordinates.0.2",
            "geojson_position",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], []]},
            "boundary.coordinates.1",
            "geojson_polygon",
        ),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "boundary.coordinates.0.0", "geojson_ring"),
    ],
)
def test_invalid_boundaries_name_the_offending_part(boundary: dict, field: str, code: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput) as error:
        check_boundary(boundary)
    assert (field_of(error), error.value.params[0].code) == (field, code)


# --- presence ------------------------------------------------------------------------------------


def presence(**changes: object) -> Presence:
    base = Presence(
        uuid4(),
        uuid4(),
        PresenceKind.weekly,
        Weekday.tuesday,
        None,
        time(10),
        time(12),
        " Buurthuis ",
        None,
        1,
        NOW,
        NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_presence_rules() -> None:
    assert check_presence(presence()).place == "Buurthuis"
    assert check_presence(presence(note="  ")).note is None
    cases = [
        (presence(weekday=None), "weekday"),
        (presence(occurs_on=D), "occursOn"),
        (presence(kind=PresenceKind.once, weekday=None), "occursOn"),
        (presence(kind=PresenceKind.once, occurs_on=D), "weekday"),
        (presence(end_time=time(10)), "endTime"),
        (presence(place="  "), "place"),
    ]
    for candidate, field in cases:
        with pytest.raises(InvalidInput) as error:
            check_presence(candidate)
        assert field_of(error) == field


def test_presence_orders_weekly_times_before_dates() -> None:
    monday_late = presence(weekday=Weekday.monday, start_time=time(19))
    tuesday = presence()
    once = presence(kind=PresenceKind.once, weekday=None, occurs_on=D, start_time=time(8))
    assert sorted([once, tuesday, monday_late], key=lambda p: p.sort_key) == [monday_late, tuesday, once]


# --- offers --------------------------------------------------------------------------------------


def offer(**changes: object) -> Offer:
    base = Offer(
        uuid4(),
        uuid4(),
        " Schuldhulp ",
        "Hulp bij schulden",
        frozenset({NeedCategory.schulden}),
        frozenset({uuid4()}),
        None,
        5,
        True,
        "Bel ons",
        None,
        1,
        NOW,
        NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_offer_rules() -> None:
    assert check_offer(offer()).title == "Schuldhulp"
    check_offer(offer(wijk_ids=frozenset(), municipality_code="GM0106"))
    cases = [
        (offer(categories=frozenset()), "categories"),
        (offer(municipality_code="GM0106"), "municipalityCode"),
        (offer(wijk_ids=frozenset()), "wijkIds"),
        (offer(wijk_ids=frozenset(), municipality_code="0106"), "municipalityCode"),
        (offer(capacity=-1), "capacity"),
        (offer(contact_route=" "), "contactRoute"),
    ]
    for candidate, field in cases:
        with pytest.raises(InvalidInput) as error:
            check_offer(candidate)
        assert field_of(error) == field
