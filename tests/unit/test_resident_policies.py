"""Who reaches a resident, a note, the consented view, the rights and the audit trail — table-driven
over every role, without a database. A allowed, H hidden (404), F forbidden (403)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from domain.audit import can_read_audit
from domain.identity import Principal, PrincipalKind, Role
from domain.residents import (
    NoteReach,
    NoteVisibility,
    ResidentReach,
    can_change_note,
    can_exercise_rights,
    can_read_note,
    can_read_note_revision,
    can_read_resident,
    can_read_shared_resident,
    can_register_resident,
    can_search_residents,
    can_write_resident,
)
from domain.rights import can_run_retention
from domain.scope import Decision, Outcome, Scope
from tests.unit import test_scope_policies as map_policies

A, H, F = Outcome.allowed, Outcome.out_of_scope, Outcome.forbidden
TODAY = date(2026, 11, 21)
W_OWN, W_OTHER = uuid4(), uuid4()
ME, COLLEAGUE = uuid4(), uuid4()
OWN_ORG, OTHER_ORG = uuid4(), uuid4()

ROLES = list(Role)
KOPPEL = {Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder}


def scope_of(role: Role) -> Scope:
    """The caller: koppel roles work in W_OWN today; everybody is ME in OWN_ORG."""
    kind = PrincipalKind.client if role in (Role.police_system, Role.housing_system) else PrincipalKind.user
    wijken = frozenset({W_OWN}) if role in KOPPEL else frozenset()
    return Scope(Principal(kind, ME, role, OWN_ORG), TODAY, reaches_all=role is Role.admin, wijk_ids=wijken)


IN, OUT = ResidentReach(W_OWN), ResidentReach(W_OTHER)


def note(author: object, org: object, visibility: NoteVisibility) -> NoteReach:
    return NoteReach(author, org, visibility)  # type: ignore[arg-type]


MY_AUTHOR_NOTE = note(ME, OWN_ORG, NoteVisibility.author)
COLLEAGUE_AUTHOR_NOTE = note(COLLEAGUE, OWN_ORG, NoteVisibility.author)
OWN_ORG_NOTE = note(COLLEAGUE, OWN_ORG, NoteVisibility.organisation)
OTHER_ORG_NOTE = note(COLLEAGUE, OTHER_ORG, NoteVisibility.organisation)
KOPPEL_NOTE = note(COLLEAGUE, OTHER_ORG, NoteVisibility.koppel)
MY_KOPPEL_NOTE = note(ME, OWN_ORG, NoteVisibility.koppel)

Case = tuple[str, Callable[[Scope], Decision], dict[Role, Outcome]]


def per_role(admin: Outcome, koppel: Outcome, agency: Outcome, gemeente: Outcome, privacy: Outcome,
             systems: Outcome) -> dict[Role, Outcome]:
    """The three koppel roles and the two systems always answer alike in these cases."""
    return {
        Role.admin: admin,
        Role.opbouwwerker: koppel,
        Role.wijkagent: koppel,
        Role.wijkbeheerder: koppel,
        Role.agency_worker: agency,
        Role.gemeente: gemeente,
        Role.privacy_officer: privacy,
        Role.police_system: systems,
        Role.housing_system: systems,
    }


# fmt: off
CASES: list[Case] = [
    #                                                                            admin koppel agency gem privacy systems
    ("search residents", can_search_residents,                                   per_role(F, A, F, F, A, F)),
    ("register in own wijk", lambda s: can_register_resident(s, W_OWN),          per_role(F, A, F, F, F, F)),
    ("register in another wijk", lambda s: can_register_resident(s, W_OTHER),   per_role(F, H, F, F, F, F)),
    ("read a resident in scope", lambda s: can_read_resident(s, IN),             per_role(F, A, H, F, F, F)),
    ("read a resident out of scope", lambda s: can_read_resident(s, OUT),        per_role(F, H, H, F, F, F)),
    ("write a resident in scope", lambda s: can_write_resident(s, IN),           per_role(F, A, H, F, F, F)),
    ("write a resident out of scope", lambda s: can_write_resident(s, OUT),      per_role(F, H, H, F, F, F)),
    ("read a koppel note", lambda s: can_read_note(s, IN, KOPPEL_NOTE),          per_role(F, A, H, F, F, F)),
    ("read a koppel note elsewhere", lambda s: can_read_note(s, OUT, KOPPEL_NOTE), per_role(F, H, H, F, F, F)),
    ("read own organisation's note", lambda s: can_read_note(s, IN, OWN_ORG_NOTE), per_role(F, A, H, F, F, F)),
    ("read another organisation's note", lambda s: can_read_note(s, IN, OTHER_ORG_NOTE), per_role(F, H, H, F, F, F)),
    ("read own author note", lambda s: can_read_note(s, IN, MY_AUTHOR_NOTE),     per_role(F, A, H, F, F, F)),
    ("read a colleague's author note", lambda s: can_read_note(s, IN, COLLEAGUE_AUTHOR_NOTE), per_role(F, H, H, F, F, F)),
    ("correct own note", lambda s: can_change_note(s, IN, MY_KOPPEL_NOTE),       per_role(F, A, H, F, F, F)),
    ("correct a colleague's koppel note", lambda s: can_change_note(s, IN, KOPPEL_NOTE), per_role(F, F, H, F, F, F)),
    ("correct an unseen note", lambda s: can_change_note(s, IN, OTHER_ORG_NOTE), per_role(F, H, H, F, F, F)),
    (
        "read a koppel note's version written for its author",
        lambda s: can_read_note_revision(s, IN, KOPPEL_NOTE, NoteVisibility.author),
        per_role(F, H, H, F, F, F),
    ),
    (
        "read own note's version written for myself",
        lambda s: can_read_note_revision(s, IN, MY_KOPPEL_NOTE, NoteVisibility.author),
        per_role(F, A, H, F, F, F),
    ),
    ("shared view with consent", lambda s: can_read_shared_resident(s, IN, True), per_role(F, F, A, F, F, F)),
    ("shared view without consent", lambda s: can_read_shared_resident(s, IN, False), per_role(F, F, H, F, F, F)),
    ("shared view out of scope", lambda s: can_read_shared_resident(s, OUT, True), per_role(F, H, A, F, F, F)),
    ("export or erase in scope", lambda s: can_exercise_rights(s, IN),           per_role(F, F, H, F, A, F)),
    ("export or erase out of scope", lambda s: can_exercise_rights(s, OUT),      per_role(F, H, H, F, A, F)),
    ("read the audit trail", can_read_audit,                                     per_role(F, F, F, F, A, F)),
    ("start a retention run", can_run_retention,                                 per_role(A, F, F, F, A, F)),
]
# fmt: on


@pytest.mark.parametrize(("question", "policy", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_policy_per_role(role: Role, question: str, policy: Callable[[Scope], Decision], expected: dict[Role, Outcome]) -> None:
    assert set(expected) == set(Role), question
    decision = policy(scope_of(role))
    assert decision.outcome is expected[role], f"{question} as {role}: {decision.reason}"
    if decision.outcome is not A:
        assert decision.reason, "a refusal says why"


def test_the_admin_reach_over_the_map_never_extends_to_residents() -> None:
    admin = scope_of(Role.admin)
    assert admin.reaches_all
    assert not can_read_resident(admin, IN).allowed and not can_read_note(admin, IN, KOPPEL_NOTE).allowed


@pytest.mark.parametrize("case", map_policies.CASES, ids=[c[0] for c in map_policies.CASES])
def test_the_privacy_officer_reaches_nothing_of_the_map_or_the_catalogue(case: map_policies.Case) -> None:
    question, policy, _ = case
    decision = policy(map_policies.scope_of(Role.privacy_officer))
    assert decision.outcome is not A, question
