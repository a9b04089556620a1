"""Referral rules without a database: the transition table (every pair of statuses, allowed and
refused), which side makes each move, reasons, the note bound for the agency, who a referral is
about (a mediation: exactly two), consent checks and the agency's view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product
from uuid import UUID, uuid4

import pytest

from domain.casework import Actor, Priority
from domain.categories import NeedCategory
from domain.consents import Consent, ConsentForm, ConsentScope
from domain.errors import Conflict, InvalidInput
from domain.identity import PrincipalKind
from domain.needs import Need
from domain.referral_policies import Side
from domain.referrals import (
    OPEN_STATUSES,
    REFERRAL_MOVES,
    REFERRAL_TRANSITIONS,
    Referral,
    ReferralStatus,
    agency_view,
    check_follow_up_on,
    check_followed_up_on,
    check_note,
    check_reason,
    default_follow_up,
    missing_consents,
    referral_residents,
    side_of,
)
from domain.residents import Address, Resident

R = ReferralStatus
NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)
TODAY = date(2026, 11, 21)
AGENCY, OTHER_AGENCY = uuid4(), uuid4()
ACTOR = Actor(PrincipalKind.user, uuid4())

ALLOWED: dict[tuple[R, R], Side] = {
    (R.voorgesteld, R.aangemeld): Side.koppel,
    (R.voorgesteld, R.ingetrokken): Side.koppel,
    (R.aangemeld, R.in_behandeling): Side.agency,
    (R.aangemeld, R.afgewezen): Side.agency,
    (R.aangemeld, R.ingetrokken): Side.koppel,
    (R.in_behandeling, R.afgerond): Side.agency,
    (R.in_behandeling, R.ingetrokken): Side.koppel,
}


@pytest.mark.parametrize(("current", "target"), list(product(R, R)), ids=lambda s: str(s))
def test_every_pair_of_statuses(current: R, target: R) -> None:
    expected = ALLOWED.get((current, target))
    assert REFERRAL_TRANSITIONS.allows(current, target) is (expected is not None)
    if expected is None:
        with pytest.raises(Conflict):
            side_of(current, target)
    else:
        assert side_of(current, target) is expected


def test_the_moves_name_a_side_for_exactly_the_allowed_pairs() -> None:
    allowed = {(a, b) for a, b in product(R, R) if REFERRAL_TRANSITIONS.allows(a, b)}
    assert set(REFERRAL_MOVES) == allowed == set(ALLOWED)


def test_open_and_final_statuses() -> None:
    assert OPEN_STATUSES == {R.voorgesteld, R.aangemeld, R.in_behandeling}
    for final in (R.afgewezen, R.afgerond, R.ingetrokken):
        assert REFERRAL_TRANSITIONS.is_terminal(final)
    with pytest.raises(Conflict, match="closed"):
        REFERRAL_TRANSITIONS.check(R.afgerond, R.ingetrokken)
    assert all((s, R.ingetrokken) in ALLOWED for s in OPEN_STATUSES), "withdrawn from any open state"


def test_a_refusal_says_why() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_reason(R.afgewezen, "  ")
    assert refused.value.params[0].name == "reason"
    assert check_reason(R.afgewezen, " Wachtlijst vol ") == "Wachtlijst vol"
    assert check_reason(R.ingetrokken, None) is None
    with pytest.raises(InvalidInput):
        check_reason(R.ingetrokken, "x" * 5001)


@pytest.mark.parametrize(
    "note",
    ["Bel haar op 06-12345678", "Mail naar fatima@voorbeeld.nl", "Woont op 9401 AB 12", "BSN 111222333"],
)
def test_the_note_for_the_agency_carries_no_personal_data(note: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_note(note)
    assert refused.value.params[0].name == "note"


def test_a_plain_note_passes_and_blank_is_none() -> None:
    assert check_note(" Graag in de ochtend bellen via de opbouwwerker. ") == "Graag in de ochtend bellen via de opbouwwerker."
    assert check_note("   ") is None


def test_nazorg_dates() -> None:
    assert default_follow_up(TODAY) == TODAY + timedelta(days=14)
    assert check_follow_up_on(TODAY, TODAY) == TODAY
    with pytest.raises(InvalidInput):
        check_follow_up_on(TODAY - timedelta(days=1), TODAY)
    referral = make_referral(frozenset())
    assert check_followed_up_on(TODAY, referral, TODAY) == TODAY
    with pytest.raises(InvalidInput):
        check_followed_up_on(TODAY + timedelta(days=1), referral, TODAY)
    with pytest.raises(InvalidInput):
        check_followed_up_on(TODAY - timedelta(days=1), referral, TODAY)


def need(category: NeedCategory, resident_id: UUID | None) -> Need:
    return Need(uuid4(), uuid4(), uuid4(), resident_id, category, "…", Priority.normaal, ACTOR, None, 1, NOW, NOW)


def test_a_referral_is_about_the_needs_resident_and_a_mediation_about_exactly_two() -> None:
    alone, other, third = uuid4(), uuid4(), uuid4()
    assert referral_residents(need(NeedCategory.schulden, alone), None) == {alone}
    assert referral_residents(need(NeedCategory.schulden, None), None) == frozenset()
    assert referral_residents(need(NeedCategory.schulden, alone), frozenset({alone})) == {alone}
    with pytest.raises(InvalidInput):
        referral_residents(need(NeedCategory.schulden, alone), frozenset({alone, other}))
    conflict = need(NeedCategory.burenconflict, alone)
    assert referral_residents(conflict, frozenset({alone, other})) == {alone, other}
    for wrong in (None, frozenset({alone}), frozenset({other, third}), frozenset({alone, other, third})):
        with pytest.raises(InvalidInput) as refused:
            referral_residents(conflict, wrong)
        assert refused.value.params[0].name == "residentIds"
    assert referral_residents(need(NeedCategory.burenconflict, None), frozenset({other, third})) == {other, third}


def consent(resident_id: UUID, scope: set[ConsentScope], organisation: UUID = AGENCY, withdrawn: datetime | None = None) -> Consent:
    return Consent(
        uuid4(), resident_id, organisation, frozenset(scope), "aanmelding", ConsentForm.spoken, NOW - timedelta(days=1),
        uuid4(), uuid4(), withdrawn, None, 1, NOW, NOW,
    )


def test_consent_must_name_the_agency_cover_identity_and_still_hold() -> None:
    a, b = uuid4(), uuid4()
    valid = [consent(a, {ConsentScope.identity}), consent(b, {ConsentScope.identity, ConsentScope.contact_details})]
    assert missing_consents([a, b], valid, AGENCY, NOW) == []
    assert missing_consents([a, b], valid[:1], AGENCY, NOW) == [b]
    assert missing_consents([a], [consent(a, {ConsentScope.contact_details})], AGENCY, NOW) == [a]
    assert missing_consents([a], [consent(a, {ConsentScope.identity}, OTHER_AGENCY)], AGENCY, NOW) == [a]
    assert missing_consents([a], [consent(a, {ConsentScope.identity}, withdrawn=NOW)], AGENCY, NOW) == [a]
    assert missing_consents([], [], AGENCY, NOW) == []


def make_referral(resident_ids: frozenset[UUID]) -> Referral:
    return Referral(
        id=uuid4(), need_id=uuid4(), offer_id=uuid4(), organisation_id=AGENCY, wijk_id=uuid4(), koppel_id=uuid4(),
        category=NeedCategory.burenconflict, mediation=len(resident_ids) == 2, resident_ids=resident_ids,
        status=R.aangemeld, note="Beide buren willen praten.", rejection_reason=None, withdrawal_reason=None,
        follow_up_on=TODAY, followed_up_on=None, holds_place=False, registered_at=NOW, closed_at=None,
        redacted_at=None, proposed_by=ACTOR, version=2, created_at=NOW, updated_at=NOW,
        need_description="Ruzie over geluid en de tuin.",
    )


def resident(resident_id: UUID, name: str) -> Resident:
    return Resident(
        resident_id, uuid4(), name, "Jansen", Address("9401AB", 12), "0612345678", f"{name}@voorbeeld.nl", 1970,
        False, ("nl",), NOW, None, 1, NOW, NOW,
    )


def test_the_agency_sees_per_resident_only_what_the_consent_covers() -> None:
    a, b = uuid4(), uuid4()
    referral = make_referral(frozenset({a, b}))
    residents = {a: resident(a, "anna"), b: resident(b, "bert")}
    consents = [
        consent(a, {ConsentScope.identity, ConsentScope.contact_details, ConsentScope.need_description}),
        consent(b, {ConsentScope.identity}),
    ]
    view = agency_view(referral, residents, consents, NOW)
    shared = {s.id: s for s in view.residents}
    assert (shared[a].given_name, shared[a].phone) == ("anna", "0612345678")
    assert (shared[b].given_name, shared[b].phone, shared[b].email) == ("bert", None, None)
    assert view.need_description is None, "the description only when every party consented to it"
    consents.append(consent(b, {ConsentScope.need_description}))
    assert agency_view(referral, residents, consents, NOW).need_description == "Ruzie over geluid en de tuin."
    assert agency_view(make_referral(frozenset()), {}, [], NOW).need_description is None
