"""The scope and the policies, table-driven over every role, without a database.

Each role gets the facts its scope query would return; each policy case lists the expected
outcome for every role: A allowed, H hidden (out of scope: 404), F forbidden (in scope: 403).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.dates import Period
from domain.identity import KOPPEL_ROLES, Principal, PrincipalKind, Role
from domain.scope import (
    AssignmentFact,
    Decision,
    MembershipFact,
    OfferReach,
    Outcome,
    ReachableWijk,
    Scope,
    ScopeFacts,
    can_manage_koppel,
    can_manage_offer,
    can_manage_presence,
    can_manage_wijk,
    can_read_koppel,
    can_read_offer,
    can_read_who_worked,
    can_read_wijk,
    compute_scope,
)

A, H, F = Outcome.allowed, Outcome.out_of_scope, Outcome.forbidden
TODAY = date(2026, 11, 21)
YESTERDAY = TODAY - timedelta(days=1)
GM = "GM0106"

W1, W2, W3, W_ELSEWHERE = uuid4(), uuid4(), uuid4(), uuid4()  # W1-W3 in GM0106
K1 = uuid4()  # the principal's active koppel, in W1
K2 = uuid4()  # a koppel the principal left today (leftOn = today), in W2
K3 = uuid4()  # a concept koppel the principal belongs to, in W3
K4 = uuid4()  # another koppel working in W1 (colleagues)
OWN_ORG, OTHER_ORG = uuid4(), uuid4()

KOPPEL_FACTS = ScopeFacts(
    memberships=(
        MembershipFact(K1, Period(TODAY - timedelta(days=90)), Period(TODAY - timedelta(days=90))),
        MembershipFact(K2, Period(TODAY - timedelta(days=90), TODAY), Period(TODAY - timedelta(days=90))),
        MembershipFact(K3, Period(TODAY - timedelta(days=5)), None),
    ),
    assignments=(
        AssignmentFact(K1, W1, GM, Period(TODAY - timedelta(days=90))),
        AssignmentFact(K2, W2, GM, Period(TODAY - timedelta(days=90))),
        AssignmentFact(K3, W3, GM, Period(TODAY - timedelta(days=5))),
    ),
)
FACTS: dict[Role, ScopeFacts] = {
    Role.admin: ScopeFacts(),
    Role.opbouwwerker: KOPPEL_FACTS,
    Role.wijkagent: KOPPEL_FACTS,
    Role.wijkbeheerder: KOPPEL_FACTS,
    # the municipality query returns the wijken of GM0106 (W3 is in it too, so is W2)
    Role.gemeente: ScopeFacts(
        wijken=(ReachableWijk(W1, GM), ReachableWijk(W2, GM), ReachableWijk(W3, GM)), municipality_code=GM
    ),
    # the agency's current offers serve W2
    Role.agency_worker: ScopeFacts(wijken=(ReachableWijk(W2, GM),)),
    Role.police_system: ScopeFacts(),
    Role.housing_system: ScopeFacts(),
    Role.privacy_officer: ScopeFacts(),  # loads no facts; see test_resident_policies
}


def scope_of(role: Role, on: date = TODAY) -> Scope:
    kind = PrincipalKind.client if role in (Role.police_system, Role.housing_system) else PrincipalKind.user
    return compute_scope(Principal(kind, uuid4(), role, OWN_ORG), FACTS[role], on)


def test_every_role_is_in_the_table() -> None:
    assert set(FACTS) == set(Role)


# Each case: a policy question and the outcome per role, in the order of ROLES.
ROLES = [
    Role.admin,
    Role.opbouwwerker,
    Role.wijkagent,
    Role.wijkbeheerder,
    Role.agency_worker,
    Role.gemeente,
    Role.police_system,
    Role.housing_system,
]
Case = tuple[str, Callable[[Scope], Decision], tuple[Outcome, ...]]
OFFER_IN_W1 = OfferReach(OTHER_ORG, frozenset({W1}), None)
OWN_OFFER_IN_W2 = OfferReach(OWN_ORG, frozenset({W2}), None)
MUNICIPAL_OFFER = OfferReach(OTHER_ORG, frozenset(), GM)
OFFER_IN_W1_AND_W2 = OfferReach(OTHER_ORG, frozenset({W1, W2}), None)

# fmt: off
CASES: list[Case] = [
    #                                                     adm opb agt beh agency gem police housing
    ("read wijk of active koppel", lambda s: can_read_wijk(s, W1), (A, A, A, A, H, A, H, H)),
    ("read wijk of koppel left today", lambda s: can_read_wijk(s, W2), (A, H, H, H, A, A, H, H)),
    ("read wijk of a concept koppel", lambda s: can_read_wijk(s, W3), (A, H, H, H, H, A, H, H)),
    ("read wijk elsewhere", lambda s: can_read_wijk(s, W_ELSEWHERE), (A, H, H, H, H, H, H, H)),
    ("create a wijk", lambda s: can_manage_wijk(s, None), (A, F, F, F, F, F, F, F)),
    ("change a wijk in scope", lambda s: can_manage_wijk(s, W1), (A, F, F, F, H, F, H, H)),
    ("change a wijk out of scope", lambda s: can_manage_wijk(s, W_ELSEWHERE), (A, H, H, H, H, H, H, H)),
    ("read own active koppel", lambda s: can_read_koppel(s, K1, [W1]), (A, A, A, A, H, A, H, H)),
    ("read own concept koppel", lambda s: can_read_koppel(s, K3, []), (A, A, A, A, H, H, H, H)),
    ("read colleagues' koppel in W1", lambda s: can_read_koppel(s, K4, [W1]), (A, A, A, A, H, A, H, H)),
    ("read koppel left today", lambda s: can_read_koppel(s, K2, [W2]), (A, H, H, H, H, A, H, H)),
    ("create a koppel", lambda s: can_manage_koppel(s, None), (A, F, F, F, F, F, F, F)),
    ("compose own koppel", lambda s: can_manage_koppel(s, K1, [W1]), (A, F, F, F, H, F, H, H)),
    ("plan own koppel's presence", lambda s: can_manage_presence(s, K1, [W1]), (A, A, A, A, H, F, H, H)),
    ("plan colleagues' presence", lambda s: can_manage_presence(s, K4, [W1]), (A, F, F, F, H, F, H, H)),
    ("plan presence of koppel left", lambda s: can_manage_presence(s, K2, [W2]), (A, H, H, H, H, F, H, H)),
    ("who worked W1", lambda s: can_read_who_worked(s, W1), (A, A, A, A, H, A, F, F)),
    ("who worked W2", lambda s: can_read_who_worked(s, W2), (A, H, H, H, A, A, F, F)),
    ("read an offer in W1", lambda s: can_read_offer(s, OFFER_IN_W1), (A, A, A, A, H, H, H, H)),
    ("read own agency's offer", lambda s: can_read_offer(s, OWN_OFFER_IN_W2), (A, H, H, H, A, H, H, H)),
    ("read a municipality offer", lambda s: can_read_offer(s, MUNICIPAL_OFFER), (A, A, A, A, H, H, H, H)),
    ("create an offer for W1", lambda s: can_manage_offer(s, None, OFFER_IN_W1), (A, A, A, A, F, F, F, F)),
    ("create a municipality offer", lambda s: can_manage_offer(s, None, MUNICIPAL_OFFER), (A, F, F, F, F, F, F, F)),
    ("change an offer in W1", lambda s: can_manage_offer(s, OFFER_IN_W1, OFFER_IN_W1), (A, A, A, A, H, H, H, H)),
    (
        "widen an offer to W2 (outside)",
        lambda s: can_manage_offer(s, OFFER_IN_W1, OFFER_IN_W1_AND_W2),
        (A, F, F, F, H, H, H, H),
    ),
    (
        "change an offer also serving W2",
        lambda s: can_manage_offer(s, OFFER_IN_W1_AND_W2, OFFER_IN_W1),
        (A, F, F, F, H, H, H, H),
    ),
    ("change a municipality offer", lambda s: can_manage_offer(s, MUNICIPAL_OFFER, None), (A, F, F, F, H, H, H, H)),
    ("agency changes its own offer", lambda s: can_manage_offer(s, OWN_OFFER_IN_W2, None), (A, H, H, H, F, H, H, H)),
]
# fmt: on


@pytest.mark.parametrize(("question", "policy", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_policy_per_role(
    role: Role, question: str, policy: Callable[[Scope], Decision], expected: tuple[Outcome, ...]
) -> None:
    assert len(expected) == len(ROLES), question
    decision = policy(scope_of(role))
    assert decision.outcome is expected[ROLES.index(role)], f"{question} as {role}: {decision.reason}"
    if decision.outcome is not A:
        assert decision.reason, "a refusal says why"


def test_koppel_scope_is_today_only() -> None:
    scope = scope_of(Role.wijkagent)
    assert scope.wijk_ids == {W1}
    assert scope.koppel_ids == {K1, K3}  # a member today of an active and a concept koppel; K2 was left today
    assert scope.municipality_codes == {GM}
    # yesterday the principal was still a member of K2, so W2 was in scope
    assert scope_of(Role.wijkagent, YESTERDAY).wijk_ids == {W1, W2}


@pytest.mark.parametrize(
    ("member", "koppel", "assignment", "reached"),
    [
        (Period(TODAY), Period(TODAY), Period(TODAY), True),  # first day of everything
        (Period(TODAY - timedelta(days=9), TODAY), Period(TODAY), Period(TODAY), False),  # left today
        (Period(TODAY + timedelta(days=1)), Period(TODAY), Period(TODAY), False),  # joins tomorrow
        (Period(TODAY), Period(TODAY - timedelta(days=9), TODAY), Period(TODAY), False),  # koppel ended today
        (Period(TODAY), None, Period(TODAY), False),  # concept koppel
        (Period(TODAY), Period(TODAY), Period(TODAY - timedelta(days=9), TODAY), False),  # wijk ended today
        (Period(TODAY), Period(TODAY), Period(TODAY + timedelta(days=1)), False),  # wijk starts tomorrow
    ],
)
def test_a_koppel_member_reaches_a_wijk_only_when_all_three_periods_cover_today(
    member: Period, koppel: Period | None, assignment: Period, reached: bool
) -> None:
    k, w = uuid4(), uuid4()
    facts = ScopeFacts(
        memberships=(MembershipFact(k, member, koppel),), assignments=(AssignmentFact(k, w, GM, assignment),)
    )
    scope = compute_scope(Principal(PrincipalKind.user, uuid4(), Role.opbouwwerker, OWN_ORG), facts, TODAY)
    assert (w in scope.wijk_ids) is reached


def test_admin_reaches_the_catalogue_and_systems_reach_no_wijk() -> None:
    assert scope_of(Role.admin).reaches_all
    for role in (Role.police_system, Role.housing_system):
        scope = scope_of(role)
        assert not scope.reaches_all and scope.wijk_ids == frozenset() and scope.own_organisation_only


def test_gemeente_ignores_wijken_of_another_municipality() -> None:
    facts = ScopeFacts(
        wijken=(ReachableWijk(W1, GM), ReachableWijk(W_ELSEWHERE, "GM0363")), municipality_code=GM
    )
    scope = compute_scope(Principal(PrincipalKind.user, uuid4(), Role.gemeente, OWN_ORG), facts, TODAY)
    assert scope.wijk_ids == {W1}


def test_koppel_visibility_does_not_follow_agency_wijken() -> None:
    # an agency worker reaches W2 through its offers, but that does not show the koppels working there
    assert scope_of(Role.agency_worker).koppel_wijk_ids == frozenset()
    assert all(scope_of(r).koppel_wijk_ids == scope_of(r).wijk_ids for r in KOPPEL_ROLES)
