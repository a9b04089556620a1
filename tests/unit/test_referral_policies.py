"""Policies of contact moments, needs, referrals and statistics, table-driven over every Role.

Each role gets the scope its facts give (as in test_casework_policies): koppel members work in W1 (and
left the koppel of W2 today), the gemeente oversees W1–W3, the agency's offers serve W2, the privacy
officer and systems reach no wijk. Every principal belongs to OWN_ORG. A: allowed, H: hidden (404),
F: forbidden (403). Every role has a column: a role added later fails here until it is given one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.contact_moments import can_list_contact_moments, can_work_with_contact_moments
from domain.dates import Period
from domain.identity import Principal, PrincipalKind, Role
from domain.referral_policies import (
    ReferralReach,
    Side,
    can_change_referral,
    can_list_needs,
    can_list_referrals,
    can_move_referral,
    can_propose_referral,
    can_read_follow_ups,
    can_read_referral,
    can_read_referral_history,
    can_read_statistics,
    can_work_with_needs,
)
from domain.scope import (
    AssignmentFact,
    Decision,
    MembershipFact,
    Outcome,
    ReachableWijk,
    Scope,
    ScopeFacts,
    compute_scope,
)

A, H, F = Outcome.allowed, Outcome.out_of_scope, Outcome.forbidden
TODAY = date(2026, 11, 21)
GM = "GM0106"
W1, W2, W3, ELSEWHERE = uuid4(), uuid4(), uuid4(), uuid4()
K1, K2 = uuid4(), uuid4()
OWN_ORG, OTHER_ORG = uuid4(), uuid4()
SINCE = TODAY - timedelta(days=90)

KOPPEL_FACTS = ScopeFacts(
    memberships=(MembershipFact(K1, Period(SINCE), Period(SINCE)), MembershipFact(K2, Period(SINCE, TODAY), Period(SINCE))),
    assignments=(AssignmentFact(K1, W1, GM, Period(SINCE)), AssignmentFact(K2, W2, GM, Period(SINCE))),
)
FACTS = {
    Role.opbouwwerker: KOPPEL_FACTS,
    Role.wijkagent: KOPPEL_FACTS,
    Role.wijkbeheerder: KOPPEL_FACTS,
    Role.gemeente: ScopeFacts(
        wijken=(ReachableWijk(W1, GM), ReachableWijk(W2, GM), ReachableWijk(W3, GM)), municipality_code=GM
    ),
    Role.agency_worker: ScopeFacts(wijken=(ReachableWijk(W2, GM),)),
}
# The column order of every row below.
ROLES = [
    Role.admin,
    Role.opbouwwerker,
    Role.wijkagent,
    Role.wijkbeheerder,
    Role.agency_worker,
    Role.gemeente,
    Role.privacy_officer,
    Role.police_system,
    Role.housing_system,
]


def scope_of(role: Role) -> Scope:
    kind = PrincipalKind.client if role in (Role.police_system, Role.housing_system) else PrincipalKind.user
    return compute_scope(Principal(kind, uuid4(), role, OWN_ORG), FACTS.get(role, ScopeFacts()), TODAY)


def test_every_role_has_a_column() -> None:
    assert sorted(ROLES) == sorted(Role)


def test_the_scopes_are_what_the_table_assumes() -> None:
    assert scope_of(Role.wijkagent).wijk_ids == {W1}
    assert scope_of(Role.gemeente).wijk_ids == {W1, W2, W3}
    assert scope_of(Role.agency_worker).wijk_ids == {W2}
    assert scope_of(Role.privacy_officer).wijk_ids == frozenset()


SENT = ReferralReach(W1, OWN_ORG, sent=True, consented=True)
PROPOSED = ReferralReach(W1, OWN_ORG, sent=False, consented=True)
WITHOUT_CONSENT = ReferralReach(W1, OWN_ORG, sent=True, consented=False)
ELSEWHERE_TO_OTHER = ReferralReach(W2, OTHER_ORG, sent=True, consented=True)

Case = tuple[str, Callable[[Scope], Decision], tuple[Outcome, ...]]
# fmt: off
CASES: list[Case] = [
    #                                                                              adm opb agt beh agency gem priv police housing
    ("work with contact moments in W1", lambda s: can_work_with_contact_moments(s, W1), (F, A, A, A, F, F, F, F, F)),
    ("work with contact moments in W2 (left today)", lambda s: can_work_with_contact_moments(s, W2), (F, H, H, H, F, F, F, F, F)),
    ("work with contact moments elsewhere", lambda s: can_work_with_contact_moments(s, ELSEWHERE), (F, H, H, H, F, F, F, F, F)),
    ("list contact moments", can_list_contact_moments, (F, A, A, A, F, F, F, F, F)),
    ("work with needs in W1", lambda s: can_work_with_needs(s, W1), (F, A, A, A, F, F, F, F, F)),
    ("work with needs in W2 (left today)", lambda s: can_work_with_needs(s, W2), (F, H, H, H, F, F, F, F, F)),
    ("list needs", can_list_needs, (F, A, A, A, F, F, F, F, F)),
    ("read a sent, consented referral to own org", lambda s: can_read_referral(s, SENT), (F, A, A, A, A, F, F, F, F)),
    ("read a proposed referral", lambda s: can_read_referral(s, PROPOSED), (F, A, A, A, H, F, F, F, F)),
    ("read a referral without consent", lambda s: can_read_referral(s, WITHOUT_CONSENT), (F, A, A, A, H, F, F, F, F)),
    ("read a referral elsewhere to another org", lambda s: can_read_referral(s, ELSEWHERE_TO_OTHER), (F, H, H, H, H, F, F, F, F)),
    ("list referrals", can_list_referrals, (F, A, A, A, A, F, F, F, F)),
    ("propose a referral in W1", lambda s: can_propose_referral(s, W1), (F, A, A, A, F, F, F, F, F)),
    ("propose a referral in W2", lambda s: can_propose_referral(s, W2), (F, H, H, H, F, F, F, F, F)),
    ("change a referral", lambda s: can_change_referral(s, SENT), (F, A, A, A, F, F, F, F, F)),
    ("change a referral elsewhere", lambda s: can_change_referral(s, ELSEWHERE_TO_OTHER), (F, H, H, H, H, F, F, F, F)),
    ("make a koppel move", lambda s: can_move_referral(s, SENT, Side.koppel), (F, A, A, A, F, F, F, F, F)),
    ("make an agency move", lambda s: can_move_referral(s, SENT, Side.agency), (F, F, F, F, A, F, F, F, F)),
    ("make an agency move without consent", lambda s: can_move_referral(s, WITHOUT_CONSENT, Side.agency), (F, F, F, F, H, F, F, F, F)),
    ("read a referral's history", lambda s: can_read_referral_history(s, SENT), (F, A, A, A, F, F, F, F, F)),
    ("read follow-ups of own koppel", lambda s: can_read_follow_ups(s, K1), (F, A, A, A, F, F, F, F, F)),
    ("read follow-ups of a koppel left today", lambda s: can_read_follow_ups(s, K2), (F, H, H, H, F, F, F, F, F)),
    ("read statistics of W1", lambda s: can_read_statistics(s, W1), (F, A, A, A, F, A, F, F, F)),
    ("read statistics of W3", lambda s: can_read_statistics(s, W3), (F, H, H, H, F, A, F, F, F)),
    ("read statistics elsewhere", lambda s: can_read_statistics(s, ELSEWHERE), (F, H, H, H, F, H, F, F, F)),
]
# fmt: on


@pytest.mark.parametrize(("question", "policy", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_policy_per_role(role: Role, question: str, policy: Callable[[Scope], Decision], expected: tuple[Outcome, ...]) -> None:
    assert len(expected) == len(ROLES), question
    decision = policy(scope_of(role))
    assert decision.outcome is expected[ROLES.index(role)], f"{question} as {role}: {decision.reason}"
    if decision.outcome is not A:
        assert decision.reason, "a refusal says why"
