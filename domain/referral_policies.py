"""Who may see and do what with needs, referrals, follow-ups and statistics.

Pure functions over the caller's Scope and the few facts of a resource that decide access,
answering with a Decision: allowed; out of scope (404); forbidden (403). Repositories mirror the
read policies in SQL, so a list never holds what a direct read would refuse.

- Needs are the koppel's own record of what a resident (or the street) needs: its members in the
  wijk work with them; nobody else sees them.
- A referral is read by the koppel of the wijk, and by the agency it was sent to — only once it was
  sent (`aangemeld` or later) and only while every resident in it has a valid consent naming that
  agency. Withdrawing a consent makes the referral disappear for the agency at the next request.
  The koppel proposes, sends and withdraws; the agency accepts, rejects and finishes
  (domain.referrals.REFERRAL_MOVES says which side makes which move).
- Follow-ups (nazorg) are listed per koppel, for its own members.
- Statistics are anonymous (small counts suppressed): the koppel of the wijk and the gemeente of
  its municipality read them. The admin does not: statistics describe casework, and the admin's
  role is the catalogue and the accounts (DESIGN.md §5); agencies, the privacy officer and systems
  do not either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.identity import KOPPEL_ROLES, Role
from domain.scope import ALLOWED, Decision, Outcome, Scope

NO_NEEDS = "needs are the koppel's own record and may name residents"
NO_REFERRALS = "referrals are read by the koppel of the wijk and the agency that received them"


def _hidden(reason: str) -> Decision:
    return Decision(Outcome.out_of_scope, reason)


def _forbidden(reason: str) -> Decision:
    return Decision(Outcome.forbidden, reason)


# --- needs -------------------------------------------------------------------------------------


def can_work_with_needs(scope: Scope, wijk_id: UUID) -> Decision:
    """Koppel members of the wijk record, read, correct and match needs."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your wijken")
    return _forbidden(NO_NEEDS)


def can_list_needs(scope: Scope) -> Decision:
    """Koppel members list the needs of their wijken; nobody else lists any."""
    return ALLOWED if scope.role in KOPPEL_ROLES else _forbidden(NO_NEEDS)


# --- referrals ---------------------------------------------------------------------------------


class Side(StrEnum):
    """The two sides of a referral: the koppel that guides the resident, the agency that helps."""

    koppel = "koppel"
    agency = "agency"


@dataclass(frozen=True)
class ReferralReach:
    """The parts of a referral that decide who reaches it."""

    wijk_id: UUID
    organisation_id: UUID  # the agency that receives it
    sent: bool  # past `voorgesteld`: the agency has it
    consented: bool  # every resident in it has a valid consent naming the agency, right now


def can_read_referral(scope: Scope, referral: ReferralReach) -> Decision:
    """The koppel of the wijk; the receiving agency once it was sent and while consent holds."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if referral.wijk_id in scope.wijk_ids else _hidden("the referral is outside your wijken")
    if scope.role is Role.agency_worker:
        if referral.organisation_id != scope.organisation_id:
            return _hidden("the referral was not sent to your organisation")
        if not referral.sent:
            return _hidden("the referral has not been sent to your organisation yet")
        if not referral.consented:
            return _hidden("no valid consent lets your organisation see this referral")
        return ALLOWED
    return _forbidden(NO_REFERRALS)


def can_list_referrals(scope: Scope) -> Decision:
    """Koppel members list their wijken's referrals, agencies the ones they may read."""
    if scope.role in KOPPEL_ROLES or scope.role is Role.agency_worker:
        return ALLOWED
    return _forbidden(NO_REFERRALS)


def can_propose_referral(scope: Scope, wijk_id: UUID) -> Decision:
    """Koppel members guide residents of their wijken to an offer."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your wijken")
    return _forbidden("referrals are proposed by koppel members")


def can_change_referral(scope: Scope, referral: ReferralReach) -> Decision:
    """The koppel keeps its referral current (note, follow-up); the agency answers by status."""
    readable = can_read_referral(scope, referral)
    if not readable.allowed:
        return readable
    if scope.role in KOPPEL_ROLES:
        return ALLOWED
    return _forbidden("only the koppel changes the referral; answer with a status change")


def can_move_referral(scope: Scope, referral: ReferralReach, side: Side) -> Decision:
    """A status move belongs to one side (domain.referrals.REFERRAL_MOVES)."""
    readable = can_read_referral(scope, referral)
    if not readable.allowed:
        return readable
    if side is Side.koppel:
        return ALLOWED if scope.role in KOPPEL_ROLES else _forbidden("only the koppel makes this move")
    return ALLOWED if scope.role is Role.agency_worker else _forbidden("only the receiving agency makes this move")


def can_read_referral_history(scope: Scope, referral: ReferralReach) -> Decision:
    """The history holds the koppel's reasons: the koppel of the wijk reads it."""
    readable = can_read_referral(scope, referral)
    if not readable.allowed:
        return readable
    return ALLOWED if scope.role in KOPPEL_ROLES else _forbidden("the history is the koppel's record")


# --- follow-ups and statistics -----------------------------------------------------------------


def can_read_follow_ups(scope: Scope, koppel_id: UUID) -> Decision:
    """A koppel's members read its due follow-ups (nazorg)."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if koppel_id in scope.koppel_ids else _hidden("the koppel is not yours")
    return _forbidden("follow-ups are the koppel's own work")


def can_read_statistics(scope: Scope, wijk_id: UUID) -> Decision:
    """The koppel of the wijk and the gemeente of its municipality read its anonymous statistics."""
    if scope.role in KOPPEL_ROLES or scope.role is Role.gemeente:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your scope")
    return _forbidden("statistics are read by the koppel of the wijk and by the gemeente")
