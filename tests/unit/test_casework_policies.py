"""Casework policies, table-driven over every role, without a database.

Each role gets the scope its facts give (as in test_scope_policies): koppel members work in W1 (and
left the koppel of W2 today), the gemeente oversees W1–W3, the agency's offers serve W2, systems reach
no wijk. Every principal belongs to OWN_ORG. A: allowed, H: hidden (404), F: forbidden (403).
A role missing from ROLES (one added later) must be refused everything here until it is given a row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.casework_policies import (
    AgendaReach,
    Party,
    SignalReach,
    can_edit_agenda_item,
    can_handle_signal,
    can_manage_goals,
    can_move_agenda_item,
    can_raise_agenda_item,
    can_read_agenda_item,
    can_read_goals,
    can_read_signal,
    can_submit_signal,
    can_work_on_intervention,
)
from domain.dates import Period
from domain.identity import OrganisationKind, Principal, PrincipalKind, Role
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


def scope_of(role: Role) -> Scope:
    kind = PrincipalKind.client if role in (Role.police_system, Role.housing_system) else PrincipalKind.user
    return compute_scope(Principal(kind, uuid4(), role, OWN_ORG), FACTS.get(role, ScopeFacts()), TODAY)


def test_the_scopes_are_what_the_table_assumes() -> None:
    assert scope_of(Role.wijkagent).wijk_ids == {W1}
    assert scope_of(Role.gemeente).wijk_ids == {W1, W2, W3}
    assert scope_of(Role.housing_system).wijk_ids == frozenset()


SIGNAL_W1 = SignalReach(W1, OTHER_ORG)
SIGNAL_W2 = SignalReach(W2, OTHER_ORG)
OWN_SIGNAL_ELSEWHERE = SignalReach(ELSEWHERE, OWN_ORG)
POLICE_ITEM = AgendaReach(W1, OrganisationKind.politie, None, submitted=True)
POLICE_CONCEPT = AgendaReach(W1, OrganisationKind.politie, None, submitted=False)
OTHER_POLICE_ITEM = AgendaReach(W2, OrganisationKind.politie, OTHER_ORG, submitted=True)
GEMEENTE_ITEM_W2 = AgendaReach(W2, OrganisationKind.gemeente, None, submitted=True)
OTHER_GEMEENTE_ITEM_W2 = AgendaReach(W2, OrganisationKind.gemeente, OTHER_ORG, submitted=True)
OWN_CORPORATION_ITEM = AgendaReach(W1, OrganisationKind.woningcorporatie, OWN_ORG, submitted=True)

Case = tuple[str, Callable[[Scope], Decision], tuple[Outcome, ...]]
# fmt: off
CASES: list[Case] = [
    #                                                                              adm opb agt beh agency gem police housing
    ("read a signal in W1", lambda s: can_read_signal(s, SIGNAL_W1), (F, A, A, A, F, F, F, H)),
    ("read a signal in W2 (koppel left today)", lambda s: can_read_signal(s, SIGNAL_W2), (F, H, H, H, F, F, F, H)),
    ("read own organisation's signal elsewhere", lambda s: can_read_signal(s, OWN_SIGNAL_ELSEWHERE), (F, H, H, H, F, F, F, A)),
    ("handle a signal in W1", lambda s: can_handle_signal(s, SIGNAL_W1), (F, A, A, A, F, F, F, H)),
    ("handle own organisation's signal", lambda s: can_handle_signal(s, OWN_SIGNAL_ELSEWHERE), (F, H, H, H, F, F, F, F)),
    ("submit a signal in W1", lambda s: can_submit_signal(s, W1), (F, A, A, A, F, F, F, H)),
    ("submit a signal elsewhere", lambda s: can_submit_signal(s, ELSEWHERE), (F, H, H, H, F, F, F, H)),
    ("work on an intervention in W1", lambda s: can_work_on_intervention(s, W1), (F, A, A, A, F, F, F, F)),
    ("work on an intervention in W2", lambda s: can_work_on_intervention(s, W2), (F, H, H, H, F, F, F, F)),
    ("read a police item in W1", lambda s: can_read_agenda_item(s, POLICE_ITEM), (F, A, A, A, F, H, A, F)),
    ("read a police concept in W1", lambda s: can_read_agenda_item(s, POLICE_CONCEPT), (F, A, A, A, F, H, H, F)),
    ("read another police org's item", lambda s: can_read_agenda_item(s, OTHER_POLICE_ITEM), (F, H, H, H, F, H, H, F)),
    ("read a gemeente item in W2", lambda s: can_read_agenda_item(s, GEMEENTE_ITEM_W2), (F, H, H, H, F, A, H, F)),
    ("read another gemeente's item", lambda s: can_read_agenda_item(s, OTHER_GEMEENTE_ITEM_W2), (F, H, H, H, F, H, H, F)),
    ("read own corporation's item", lambda s: can_read_agenda_item(s, OWN_CORPORATION_ITEM), (F, A, A, A, F, H, H, F)),
    ("raise an item in W1", lambda s: can_raise_agenda_item(s, W1), (F, A, A, A, F, F, F, F)),
    ("raise an item in W2", lambda s: can_raise_agenda_item(s, W2), (F, H, H, H, F, F, F, F)),
    ("edit a police item", lambda s: can_edit_agenda_item(s, POLICE_ITEM), (F, A, A, A, F, H, F, F)),
    ("edit a gemeente item in W2", lambda s: can_edit_agenda_item(s, GEMEENTE_ITEM_W2), (F, H, H, H, F, F, H, F)),
    ("answer a police item", lambda s: can_move_agenda_item(s, POLICE_ITEM, Party.addressee), (F, F, F, F, F, H, A, F)),
    ("submit/withdraw a police item", lambda s: can_move_agenda_item(s, POLICE_ITEM, Party.raiser), (F, A, A, A, F, H, F, F)),
    ("answer a gemeente item", lambda s: can_move_agenda_item(s, GEMEENTE_ITEM_W2, Party.addressee), (F, H, H, H, F, A, H, F)),
    (
        "answer own corporation's item",
        lambda s: can_move_agenda_item(s, OWN_CORPORATION_ITEM, Party.addressee),
        (F, F, F, A, F, H, H, F),
    ),
    ("read goals of W1", lambda s: can_read_goals(s, W1), (A, A, A, A, F, A, F, F)),
    ("read goals of W2", lambda s: can_read_goals(s, W2), (A, H, H, H, F, A, F, F)),
    ("read goals elsewhere", lambda s: can_read_goals(s, ELSEWHERE), (A, H, H, H, F, H, F, F)),
    ("manage goals of W1", lambda s: can_manage_goals(s, W1), (A, A, A, A, F, F, F, F)),
    ("manage goals of W2", lambda s: can_manage_goals(s, W2), (A, H, H, H, F, F, F, F)),
]
# fmt: on


@pytest.mark.parametrize(("question", "policy", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_casework_policy_per_role(
    role: Role, question: str, policy: Callable[[Scope], Decision], expected: tuple[Outcome, ...]
) -> None:
    assert len(expected) == len(ROLES), question
    wanted = expected[ROLES.index(role)] if role in ROLES else F
    decision = policy(scope_of(role))
    assert decision.outcome is wanted, f"{question} as {role}: {decision.reason}"
    if decision.outcome is not A:
        assert decision.reason, "a refusal says why"


def test_a_wijkbeheerder_speaks_for_its_own_corporation_only() -> None:
    other_corporation = AgendaReach(W1, OrganisationKind.woningcorporatie, OTHER_ORG, submitted=True)
    beheerder = scope_of(Role.wijkbeheerder)
    assert can_read_agenda_item(beheerder, other_corporation).allowed  # as the raising koppel
    assert can_move_agenda_item(beheerder, other_corporation, Party.addressee).outcome is F
