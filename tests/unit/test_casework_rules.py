"""The casework rules without a database: every status table pair by pair (a second, independent copy
of the allowed moves), the phase rules of the method, agenda texts, goals' places and reviews, and
locations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product
from uuid import uuid4

import pytest

from domain.agenda import (
    AGENDA_TRANSITIONS,
    AgendaMove,
    AgendaStatus,
    check_move,
    check_texts,
    mover,
)
from domain.casework import Actor, local_day_bounds
from domain.casework_policies import Party
from domain.errors import Conflict, InvalidInput
from domain.geo import Address, GeoPoint, check_address, check_point_in_netherlands, point_in_boundary
from domain.goals import GOAL_TRANSITIONS, Goal, GoalStatus, Target, check_review, free_place, quarter_of
from domain.identity import PrincipalKind
from domain.interventions import (
    PHASE_ORDER,
    Intervention,
    InterventionKind,
    InterventionOutcome,
    OutcomeResult,
    Phase,
    PhaseMove,
    apply_phase_move,
    check_phase_move,
)
from domain.signals import SIGNAL_TRANSITIONS, SignalStatus, check_reason

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def field_of(error: pytest.ExceptionInfo[InvalidInput]) -> str:
    return error.value.params[0].name


# --- signals -----------------------------------------------------------------------------------

S = SignalStatus
SIGNAL_MOVES = {
    (S.nieuw, S.in_behandeling),
    (S.nieuw, S.afgewezen),
    (S.in_behandeling, S.doorgezet),
    (S.in_behandeling, S.afgehandeld),
    (S.in_behandeling, S.afgewezen),
    (S.doorgezet, S.afgehandeld),
    (S.doorgezet, S.in_behandeling),
}
SIGNAL_NEEDS_REASON = {(S.nieuw, S.afgewezen), (S.in_behandeling, S.afgewezen), (S.in_behandeling, S.doorgezet), (S.doorgezet, S.in_behandeling)}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)), ids=lambda s: s.value)
def test_every_signal_move_is_allowed_or_refused(current: SignalStatus, target: SignalStatus) -> None:
    if (current, target) in SIGNAL_MOVES:
        SIGNAL_TRANSITIONS.check(current, target)
        assert SIGNAL_TRANSITIONS.allows(current, target)
        if (current, target) in SIGNAL_NEEDS_REASON:
            with pytest.raises(InvalidInput) as error:
                check_reason(current, target, "  ")
            assert field_of(error) == "reason"
        assert check_reason(current, target, " waarom ") == "waarom"
    else:
        with pytest.raises(Conflict):
            SIGNAL_TRANSITIONS.check(current, target)


def test_closed_signal_statuses_are_terminal() -> None:
    assert {s for s in S if SIGNAL_TRANSITIONS.is_terminal(s)} == {S.afgehandeld, S.afgewezen}


# --- agenda items ------------------------------------------------------------------------------

AS = AgendaStatus
AGENDA_MOVES = {
    (AS.concept, AS.geagendeerd): Party.raiser,
    (AS.concept, AS.ingetrokken): Party.raiser,
    (AS.geagendeerd, AS.in_behandeling): Party.addressee,
    (AS.geagendeerd, AS.afgewezen): Party.addressee,
    (AS.geagendeerd, AS.ingetrokken): Party.raiser,
    (AS.in_behandeling, AS.afgehandeld): Party.addressee,
    (AS.in_behandeling, AS.afgewezen): Party.addressee,
    (AS.in_behandeling, AS.ingetrokken): Party.raiser,
}


@pytest.mark.parametrize(("current", "target"), list(product(AS, AS)), ids=lambda s: s.value)
def test_every_agenda_move_is_allowed_to_one_side_or_refused(current: AgendaStatus, target: AgendaStatus) -> None:
    if (current, target) in AGENDA_MOVES:
        assert mover(current, target) is AGENDA_MOVES[(current, target)]
    else:
        assert not AGENDA_TRANSITIONS.allows(current, target)
        with pytest.raises(Conflict):
            mover(current, target)


def test_finished_and_withdrawn_items_are_terminal() -> None:
    assert {s for s in AS if AGENDA_TRANSITIONS.is_terminal(s)} == {AS.afgehandeld, AS.afgewezen, AS.ingetrokken}


@pytest.mark.parametrize(
    ("current", "move", "field"),
    [
        (AS.in_behandeling, AgendaMove(AS.afgehandeld), "response"),  # finishing says how
        (AS.geagendeerd, AgendaMove(AS.afgewezen, response=" "), "response"),
        (AS.concept, AgendaMove(AS.geagendeerd, response="klaar"), "response"),  # the raiser does not answer
        (AS.concept, AgendaMove(AS.geagendeerd, addressee_reference="P-1"), "addresseeReference"),
        (AS.geagendeerd, AgendaMove(AS.in_behandeling, reason="waarom"), "reason"),  # only withdrawals
        (AS.geagendeerd, AgendaMove(AS.afgewezen, response="Bel 06-12345678"), "response"),
        (AS.geagendeerd, AgendaMove(AS.ingetrokken, reason="Zie jan@example.nl"), "reason"),
    ],
)
def test_agenda_moves_carry_the_right_texts(current: AgendaStatus, move: AgendaMove, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_move(current, move)
    assert field_of(error) == field


def test_an_addressee_answers_with_reference_and_response() -> None:
    checked = check_move(AS.in_behandeling, AgendaMove(AS.afgehandeld, response=" Extra surveillance ", addressee_reference=" P-1 "))
    assert (checked.response, checked.addressee_reference) == ("Extra surveillance", "P-1")
    assert check_move(AS.geagendeerd, AgendaMove(AS.ingetrokken, reason=" opgelost ")).reason == "opgelost"


@pytest.mark.parametrize(
    ("title", "description", "field", "code"),
    [
        ("Overlast bij 9401 AB 12", "Jongeren hangen rond.", "title", "personal_data_address"),
        ("Jongerenoverlast", "Melder bereikbaar op 06-12345678.", "description", "personal_data_phone"),
        ("Jongerenoverlast", "Mail naar melder@example.nl", "description", "personal_data_email"),
        ("BSN 111222333 bekend", "Jongeren hangen rond.", "title", "personal_data_bsn"),
        ("", "Jongeren hangen rond.", "title", "required"),
        ("Jongerenoverlast", " ", "description", "required"),
    ],
)
def test_agenda_texts_carry_no_personal_data(title: str, description: str, field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_texts(title, description)
    assert (error.value.params[0].name, error.value.params[0].code) == (field, code)


# --- interventions -----------------------------------------------------------------------------

OUTCOME = InterventionOutcome(OutcomeResult.deels_geslaagd, "Minder overlast, buren praten weer")


def complete(target: Phase, **extra: object) -> PhaseMove:
    """A move to `target` with what that phase needs (note, follow-up date, outcome)."""
    fields: dict[str, object] = {"to": target}
    if target is Phase.toeleiden:
        fields["note"] = "Naar buurtbemiddeling"
    if target is Phase.nazorg:
        fields["follow_up_on"] = TODAY + timedelta(days=14)
    if target is Phase.evaluatie:
        fields["outcome"] = OUTCOME
    fields.update(extra)
    return PhaseMove(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("current", "target"), list(product(Phase, Phase)), ids=lambda p: p.value)
def test_every_phase_move_forward_free_back_with_reason(current: Phase, target: Phase) -> None:
    a, b = PHASE_ORDER.index(current), PHASE_ORDER.index(target)
    if a == b:
        with pytest.raises(Conflict):
            check_phase_move(current, False, complete(target, reason="zelfde"), TODAY)
    elif b > a:
        assert check_phase_move(current, False, complete(target), TODAY).to is target
    else:
        with pytest.raises(InvalidInput) as error:
            check_phase_move(current, False, complete(target), TODAY)
        assert field_of(error) == "reason"
        checked = check_phase_move(current, False, complete(target, reason=" Bewoners haken af "), TODAY)
        assert checked.reason == "Bewoners haken af"
    # a closed intervention refuses every move, even with all it would need
    with pytest.raises(Conflict):
        check_phase_move(current, True, complete(target, reason="heropenen"), TODAY)


def test_the_phase_order_is_the_methods() -> None:
    assert [p.value for p in PHASE_ORDER] == [
        "kwartier_maken",
        "activeren",
        "toeleiden",
        "nazorg",
        "agenderen",
        "evaluatie",
    ]


@pytest.mark.parametrize(
    ("move", "field"),
    [
        (PhaseMove(Phase.toeleiden), "note"),
        (PhaseMove(Phase.toeleiden, note="  "), "note"),
        (PhaseMove(Phase.nazorg), "followUpOn"),
        (PhaseMove(Phase.nazorg, follow_up_on=TODAY), "followUpOn"),  # not in the future
        (PhaseMove(Phase.nazorg, follow_up_on=TODAY - timedelta(days=1)), "followUpOn"),
        (PhaseMove(Phase.evaluatie), "outcome"),
        (PhaseMove(Phase.evaluatie, outcome=InterventionOutcome(OutcomeResult.geslaagd, " ")), "outcome.text"),
        (PhaseMove(Phase.activeren, outcome=OUTCOME), "outcome"),  # only evaluatie records one
        (PhaseMove(Phase.activeren, follow_up_on=TODAY + timedelta(days=3)), "followUpOn"),
    ],
)
def test_phase_guards(move: PhaseMove, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_phase_move(Phase.kwartier_maken, False, move, TODAY)
    assert field_of(error) == field


def test_nazorg_schedules_and_evaluatie_closes() -> None:
    intervention = Intervention(
        id=uuid4(),
        wijk_id=uuid4(),
        koppel_id=uuid4(),
        kind=InterventionKind.bemiddeling,
        title="Burenruzie Lariks",
        description="",
        phase=Phase.toeleiden,
        follow_up_on=None,
        outcome=None,
        closed_at=None,
        created_by=Actor(PrincipalKind.user, uuid4()),
        version=3,
        created_at=NOW,
        updated_at=NOW,
    )
    follow_up = TODAY + timedelta(days=1)
    after_care = apply_phase_move(intervention, check_phase_move(Phase.toeleiden, False, PhaseMove(Phase.nazorg, follow_up_on=follow_up), TODAY), NOW)
    assert (after_care.phase, after_care.follow_up_on, after_care.closed) == (Phase.nazorg, follow_up, False)
    closed = apply_phase_move(after_care, check_phase_move(Phase.nazorg, False, PhaseMove(Phase.evaluatie, outcome=OUTCOME), TODAY), NOW)
    assert (closed.phase, closed.outcome, closed.closed_at) == (Phase.evaluatie, OUTCOME, NOW)
    assert closed.follow_up_on == follow_up  # the last follow-up stays on record


# --- goals -------------------------------------------------------------------------------------

G = GoalStatus
GOAL_MOVES = {(G.active, G.achieved), (G.active, G.dropped), (G.achieved, G.active), (G.dropped, G.active)}


@pytest.mark.parametrize(("current", "target"), [p for p in product(G, G) if p[0] is not p[1]], ids=lambda s: s.value)
def test_every_goal_status_move(current: GoalStatus, target: GoalStatus) -> None:
    assert GOAL_TRANSITIONS.allows(current, target) is ((current, target) in GOAL_MOVES)


def test_an_active_goal_takes_one_of_three_places() -> None:
    assert free_place([]) == 1
    assert free_place([1, 3]) == 2
    with pytest.raises(Conflict):
        free_place([1, 2, 3])


def _goal(year: int) -> Goal:
    return Goal(uuid4(), uuid4(), year, "Minder overlast", "meldingen", Target(20, "meldingen"), frozenset(), G.active, 1, Actor(PrincipalKind.user, uuid4()), 1, NOW, NOW)


@pytest.mark.parametrize(
    ("year", "quarter", "field"),
    [(2025, 1, "year"), (2026, 0, "quarter"), (2026, 5, "quarter")],
)
def test_reviews_look_back_on_a_quarter_of_the_goals_year(year: int, quarter: int, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_review(_goal(2026), year, quarter, None, TODAY)
    assert field_of(error) == field


def test_a_review_of_a_quarter_that_has_not_begun_is_refused() -> None:
    assert quarter_of(TODAY) == 4 and quarter_of(date(2026, 3, 31)) == 1 and quarter_of(date(2026, 4, 1)) == 2
    assert check_review(_goal(2026), 2026, 4, " goed op weg ", TODAY) == "goed op weg"
    with pytest.raises(InvalidInput) as error:
        check_review(_goal(2027), 2027, 1, None, TODAY)
    assert (field_of(error), error.value.params[0].code) == ("quarter", "future")


# --- locations and periods ---------------------------------------------------------------------

SQUARE = {"type": "Polygon", "coordinates": [[[6.0, 52.0], [7.0, 52.0], [7.0, 53.0], [6.0, 53.0], [6.0, 52.0]]]}
WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[6.0, 52.0], [7.0, 52.0], [7.0, 53.0], [6.0, 53.0], [6.0, 52.0]],
        [[6.4, 52.4], [6.6, 52.4], [6.6, 52.6], [6.4, 52.6], [6.4, 52.4]],
    ],
}
TWO = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[4.0, 51.0], [5.0, 51.0], [5.0, 51.5], [4.0, 51.0]]]]}


@pytest.mark.parametrize(
    ("boundary", "point", "inside"),
    [
        (SQUARE, GeoPoint(52.5, 6.5), True),
        (SQUARE, GeoPoint(52.5, 7.5), False),
        (WITH_HOLE, GeoPoint(52.5, 6.5), False),  # in the hole
        (WITH_HOLE, GeoPoint(52.2, 6.2), True),
        (TWO, GeoPoint(51.1, 4.8), True),
        (TWO, GeoPoint(51.4, 4.1), False),
    ],
)
def test_point_in_boundary(boundary: dict[str, object], point: GeoPoint, inside: bool) -> None:
    assert point_in_boundary(point, boundary) is inside


def test_addresses_and_points() -> None:
    assert check_address(Address(" 9401 ab ", 12, " b ")) == Address("9401AB", 12, "b")
    with pytest.raises(InvalidInput):
        check_address(Address("9401", 12))
    assert check_point_in_netherlands(GeoPoint(53.0, 6.6)) == GeoPoint(53.0, 6.6)
    with pytest.raises(InvalidInput) as error:
        check_point_in_netherlands(GeoPoint(6.6, 53.0))
    assert error.value.params[0].code == "outside_netherlands"


def test_local_day_bounds_cover_whole_amsterdam_days() -> None:
    start, end = local_day_bounds(date(2026, 7, 1), date(2026, 7, 1), from_field="f", to_field="t")
    assert start is not None and end is not None
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 6, 30, 22, tzinfo=UTC),
        datetime(2026, 7, 1, 22, tzinfo=UTC),
    )
    with pytest.raises(InvalidInput):
        local_day_bounds(date(2026, 7, 2), date(2026, 7, 1), from_field="f", to_field="t")
