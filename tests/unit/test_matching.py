"""Matching a need with offers, without a database: what makes an offer a candidate, its score and
the reasons given, and the order of the ranking."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.categories import NeedCategory as C
from domain.needs import (
    RELATED,
    Candidate,
    fitting_categories,
    places_phrase,
    rank_offers,
    score_offer,
)
from domain.offers import Offer

WIJK, OTHER_WIJK = uuid4(), uuid4()
NOW = datetime(2026, 11, 21, tzinfo=UTC)


def offer(
    title: str = "Aanbod",
    categories: frozenset[C] = frozenset({C.schulden}),
    wijk_ids: frozenset[UUID] = frozenset({WIJK}),
    municipality_code: str | None = None,
    capacity: int | None = 5,
    available: bool = True,
    volunteer: UUID | None = None,
) -> Offer:
    return Offer(
        id=uuid4(), provider_organisation_id=uuid4(), title=title, description="…", categories=categories,
        wijk_ids=wijk_ids, municipality_code=municipality_code, capacity=capacity, available=available,
        contact_route="bel", archived_at=None, version=1, created_at=NOW, updated_at=NOW,
        volunteer_resident_id=volunteer,
    )


def test_the_best_offer_scores_every_point_and_says_why() -> None:
    match = score_offer(C.schulden, WIJK, Candidate(offer(capacity=2, volunteer=uuid4()), volunteer_wijk_id=WIJK))
    assert match is not None
    assert match.score == 50 + 20 + 15 + 10
    assert match.reasons == ("category schulden", "serves this wijk", "a neighbour from this wijk volunteers", "2 places left")
    assert match.neighbour


def test_a_related_category_and_a_whole_municipality_score_less() -> None:
    match = score_offer(C.schulden, WIJK, Candidate(offer(categories=frozenset({C.financien, C.taal}), wijk_ids=frozenset(), municipality_code="GM0106", capacity=None)))
    assert match is not None
    assert match.score == 25 + 10
    assert match.reasons == ("related category financien", "serves all of GM0106", "no fixed number of places")


def test_offers_that_cannot_help_are_no_candidates() -> None:
    assert score_offer(C.schulden, WIJK, Candidate(offer(categories=frozenset({C.taal})))) is None
    assert score_offer(C.schulden, WIJK, Candidate(offer(wijk_ids=frozenset({OTHER_WIJK})))) is None


def test_a_neighbour_counts_only_in_their_own_wijk() -> None:
    elsewhere = score_offer(C.schulden, WIJK, Candidate(offer(volunteer=uuid4()), volunteer_wijk_id=OTHER_WIJK))
    assert elsewhere is not None and not elsewhere.neighbour
    assert "a neighbour from this wijk volunteers" not in elsewhere.reasons


def test_full_and_unavailable_offers_sink_but_stay_visible() -> None:
    full = score_offer(C.schulden, WIJK, Candidate(offer(capacity=0)))
    assert full is not None and full.score == 50 + 20 - 30 and full.reasons[-1] == "no places left"
    closed = score_offer(C.schulden, WIJK, Candidate(offer(available=False, capacity=0, categories=frozenset({C.financien}))))
    assert closed is not None and closed.score == 0, "clamped at zero"
    assert "not available at the moment" in closed.reasons


def test_places_are_counted_in_words() -> None:
    assert [places_phrase(n) for n in (0, 1, 2)] == ["no places left", "1 place left", "2 places left"]


def test_the_ranking_is_best_first_then_by_title() -> None:
    agency = offer("Schuldhulpmaatje", municipality_code="GM0106", wijk_ids=frozenset(), capacity=12)
    neighbour = offer("Buurman helpt met post", capacity=1, volunteer=uuid4())
    full = offer("Budgetcursus", capacity=0)
    twin_b, twin_a = offer("B gelijk"), offer("A gelijk")
    ranked = rank_offers(
        C.schulden, WIJK,
        [Candidate(agency), Candidate(full), Candidate(neighbour, WIJK), Candidate(twin_b), Candidate(twin_a)],
    )
    assert [m.offer.title for m in ranked] == [
        "Buurman helpt met post", "A gelijk", "B gelijk", "Schuldhulpmaatje", "Budgetcursus",
    ]
    assert [m.offer.title for m in rank_offers(C.schulden, WIJK, [Candidate(twin_b), Candidate(twin_a)], limit=1)] == ["A gelijk"]


def test_related_categories_are_symmetric_enough_to_be_explained() -> None:
    assert set(RELATED) == set(C), "every category says what is related to it"
    for category in C:
        assert category in fitting_categories(category)
    assert C.financien in fitting_categories(C.schulden) and C.schulden in fitting_categories(C.financien)
