"""Residents (bewoners): identity, address, contact details — and who may reach them.

Compartments (DESIGN.md §6):
- the koppel members (opbouwwerker, wijkagent, wijkbeheerder) of a resident's wijk read and write
  the resident; outside their wijken a resident does not exist for them (404);
- an agency worker sees only what a valid, unwithdrawn consent naming their organisation covers,
  through a purpose-built view (domain.consents);
- the privacy officer finds a resident by exact address and answers the resident's requests
  (export, erasure: domain.rights), and reads the audit trail; it does no casework;
- the admin, the gemeente and systems never see residents.

Notes follow their own visibility (`koppel`, `organisation`, `author`): see `can_read_note`.

Every use case here that reads or writes personal data appends audit events (domain.audit) and
commits them with the change, or before the data leaves for a read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.accounts import NOT_VOUCHED, UNKNOWN_ACCOUNT, resolve_principal
from domain.audit import Access, AuditAction, audit_event, new_event_id
from domain.dates import local_today
from domain.errors import AuthenticationFailed, Forbidden, InvalidInput, InvalidParam, NotFound
from domain.identity import KOPPEL_ROLES, Caller, PrincipalKind, Role
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import ALLOWED, Decision, Outcome, Scope, enforce, load_scope

NOT_FOUND = "resident not found"

# --- identity rules ----------------------------------------------------------------------------

# Dutch postcode: four digits not starting with 0, then two letters; SA, SD and SS are not issued.
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")
# BAG nummeraanduiding identification: municipality code (4 digits), object type 20, 10 digits.
NUMMERAANDUIDING_ID = re.compile(r"^[0-9]{4}20[0-9]{10}$")
TOEVOEGING = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,5})$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*[0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")
MIN_HUISNUMMER, MAX_HUISNUMMER = 1, 99999
MAX_NAME = 100
MAX_LANGUAGES = 10
OLDEST_AGE = 120

# ISO 639-1: the two-letter language codes.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
    de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia
    id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt
    lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt
    qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to
    tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)


# Control characters have no place in a name or a note (and PostgreSQL refuses NUL outright).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str | None) -> bool:
    """True when `value` holds a control character other than tab, newline or carriage return."""
    return value is not None and CONTROL_CHARACTERS.search(value) is not None


def normalise_postcode(value: str) -> str | None:
    """'1234 ab' → '1234AB'; None when it is not a Dutch postcode."""
    candidate = value.strip().upper()
    if not POSTCODE.match(candidate):
        return None
    return candidate.replace(" ", "")


def is_nummeraanduiding_id(value: str) -> bool:
    """A 16-digit BAG nummeraanduiding identification (object type 20 in positions 5–6)."""
    return bool(NUMMERAANDUIDING_ID.match(value))


def name_key(*parts: str | None) -> str:
    """The search form of names: diacritics removed, case folded, spaces collapsed ('Çelik' → 'celik')."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class Address:
    postcode: str
    huisnummer: int
    toevoeging: str | None = None
    nummeraanduiding_id: str | None = None


@dataclass(frozen=True)
class Resident:
    id: UUID
    wijk_id: UUID
    given_name: str | None
    family_name: str | None
    address: Address | None
    phone: str | None
    email: str | None
    birth_year: int | None
    is_key_figure: bool
    languages: tuple[str, ...]
    last_activity_at: datetime
    anonymised_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    # Kept after anonymisation for statistics, like the wijk and the key-figure flag.
    birth_decade: int | None = None
    anonymised_reason: str | None = None

    @property
    def reach(self) -> ResidentReach:
        return ResidentReach(self.wijk_id)

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None


# The personal fields of a resident, by their names on the wire (what audit events record).
IDENTITY_FIELDS = ("givenName", "familyName", "address")
CONTACT_FIELDS = ("phone", "email")
RESIDENT_FIELDS = (*IDENTITY_FIELDS, *CONTACT_FIELDS, "birthYear", "isKeyFigure", "languages", "wijkId")
SUMMARY_FIELDS = (*IDENTITY_FIELDS, "birthYear", "isKeyFigure", "wijkId")
WIRE_NAMES = {
    "given_name": "givenName",
    "family_name": "familyName",
    "address": "address",
    "phone": "phone",
    "email": "email",
    "birth_year": "birthYear",
    "is_key_figure": "isKeyFigure",
    "languages": "languages",
    "wijk_id": "wijkId",
}


def disclosed(resident: Resident, names: Iterable[str]) -> list[str]:
    """The fields among `names` that hold a value for this resident (what a response discloses)."""
    values = {
        "givenName": resident.given_name,
        "familyName": resident.family_name,
        "address": resident.address,
        "phone": resident.phone,
        "email": resident.email,
        "birthYear": resident.birth_year,
        "isKeyFigure": True,  # a flag is disclosed whatever its value
        "languages": resident.languages or None,
        "wijkId": resident.wijk_id,
    }
    return [n for n in names if values.get(n) is not None]


@dataclass(frozen=True)
class NewResident:
    wijk_id: UUID
    given_name: str | None = None
    family_name: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    birth_year: int | None = None
    is_key_figure: bool = False
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResidentFilter:
    """Every word in `name_words` must occur in the names; postcode and huisnummer match exactly."""

    name_words: tuple[str, ...] = ()
    postcode: str | None = None
    huisnummer: int | None = None
    wijk_id: UUID | None = None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def check_resident(resident: Resident, now: datetime) -> Resident:
    """Normalise and validate the identity; every offending field is named in one 400."""
    problems: list[InvalidParam] = []

    def refuse(name: str, reason: str, code: str) -> None:
        problems.append(InvalidParam(name=name, reason=reason, code=code))

    given, family = _clean(resident.given_name), _clean(resident.family_name)
    for name, raw in (
        ("givenName", resident.given_name),
        ("familyName", resident.family_name),
        ("email", resident.email),
        ("phone", resident.phone),
    ):
        if has_control_characters(raw):
            refuse(name, "must not contain control characters", "control_characters")
    if given is None and family is None:
        refuse("givenName", "give at least a given name or a family name", "required")
    for name, value in (("givenName", given), ("familyName", family)):
        if value is not None and len(value) > MAX_NAME:
            refuse(name, f"at most {MAX_NAME} characters", "too_long")

    address = resident.address
    if address is not None:
        postcode = normalise_postcode(address.postcode)
        if postcode is None:
            refuse("address.postcode", "must be a Dutch postcode such as 9401 AB", "pattern")
        if not MIN_HUISNUMMER <= address.huisnummer <= MAX_HUISNUMMER:
            refuse("address.huisnummer", f"must be {MIN_HUISNUMMER}–{MAX_HUISNUMMER}", "range")
        toevoeging = _clean(address.toevoeging)
        if toevoeging is not None and not TOEVOEGING.match(toevoeging):
            refuse("address.toevoeging", "1–6 letters, digits or '-', starting with a letter or digit", "pattern")
        bag = _clean(address.nummeraanduiding_id)
        if bag is not None and not is_nummeraanduiding_id(bag):
            refuse(
                "address.nummeraanduidingId",
                "must be the 16-digit BAG nummeraanduiding id (object type 20 in positions 5–6)",
                "pattern",
            )
        address = Address(
            postcode or address.postcode,
            address.huisnummer,
            toevoeging.upper() if toevoeging else None,
            bag,
        )

    phone = _clean(resident.phone)
    if phone is not None:
        digits = sum(c.isdigit() for c in phone)
        if not PHONE.match(phone) or not 8 <= digits <= 15:
            refuse("phone", "a phone number of 8–15 digits, e.g. 06 1234 5678 or +31 6 1234 5678", "pattern")
    email = _clean(resident.email)
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        refuse("email", "must be an e-mail address", "pattern")

    this_year = local_today(now).year
    if resident.birth_year is not None and not this_year - OLDEST_AGE <= resident.birth_year <= this_year:
        refuse("birthYear", f"must lie between {this_year - OLDEST_AGE} and {this_year}", "range")

    languages = tuple(dict.fromkeys(code.strip().lower() for code in resident.languages))
    unknown = [code for code in languages if code not in ISO_639_1]
    if unknown:
        refuse("languages", f"not ISO 639-1 language codes: {', '.join(unknown)}", "unknown_language")
    if len(languages) > MAX_LANGUAGES:
        refuse("languages", f"at most {MAX_LANGUAGES} languages", "too_long")

    if problems:
        raise InvalidInput("the resident has invalid fields; see invalidParams", problems)
    return replace(
        resident,
        given_name=given,
        family_name=family,
        address=address,
        phone=phone,
        email=email,
        languages=languages,
        birth_decade=resident.birth_year // 10 * 10 if resident.birth_year is not None else None,
    )


def search_filter(q: str | None, postcode: str | None, huisnummer: int | None, wijk_id: UUID | None) -> ResidentFilter:
    """Validate and normalise search input (the postcode as stored, the name as words)."""
    normalised = None
    if postcode is not None:
        normalised = normalise_postcode(postcode)
        if normalised is None:
            raise InvalidInput.field("postcode", "must be a Dutch postcode such as 9401 AB", code="pattern")
    if has_control_characters(q):
        raise InvalidInput.field("q", "must not contain control characters", code="control_characters")
    words = tuple(name_key(q).split()) if q else ()
    if len(words) > 5:
        raise InvalidInput.field("q", "at most 5 words", code="too_long")
    return ResidentFilter(words, normalised, huisnummer, wijk_id)


# --- policies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentReach:
    """The part of a resident that decides who reaches it."""

    wijk_id: UUID


class NoteVisibility(StrEnum):
    koppel = "koppel"  # every koppel member of the resident's wijk
    organisation = "organisation"  # staff of the author's organisation only
    author = "author"  # the author only


@dataclass(frozen=True)
class NoteReach:
    author_id: UUID
    author_organisation_id: UUID
    visibility: NoteVisibility


def _hidden(reason: str) -> Decision:
    return Decision(Outcome.out_of_scope, reason)


def _forbidden(reason: str) -> Decision:
    return Decision(Outcome.forbidden, reason)


NO_RESIDENTS = "the admin, the gemeente and systems never see residents"


def can_search_residents(scope: Scope) -> Decision:
    """Koppel members search their wijken; the privacy officer finds one address (see search)."""
    if scope.role in KOPPEL_ROLES or scope.role is Role.privacy_officer:
        return ALLOWED
    if scope.role is Role.agency_worker:
        return _forbidden("an agency sees residents only through consent, not by searching")
    return _forbidden(NO_RESIDENTS)


def can_register_resident(scope: Scope, wijk_id: UUID) -> Decision:
    """Koppel members register residents of their own wijken."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if wijk_id in scope.wijk_ids else _hidden("the wijk is outside your scope")
    return _forbidden("only koppel members register residents")


def can_read_resident(scope: Scope, resident: ResidentReach) -> Decision:
    """The koppel members of the resident's wijk, today. Agencies use the consented view, the privacy
    officer the export; everybody else is refused outright."""
    if scope.role in KOPPEL_ROLES:
        return ALLOWED if resident.wijk_id in scope.wijk_ids else _hidden("the resident is outside your scope")
    if scope.role is Role.agency_worker:
        return _hidden("an agency sees a resident only under consent")
    if scope.role is Role.privacy_officer:
        return _forbidden("the privacy officer reads a resident's data through the export")
    return _forbidden(NO_RESIDENTS)


def can_write_resident(scope: Scope, resident: ResidentReach) -> Decision:
    """Whoever reads a resident's identity keeps it current: the koppel members of the wijk."""
    return can_read_resident(scope, resident)


def _sees_note(scope: Scope, note: NoteReach, visibility: NoteVisibility) -> bool:
    if visibility is NoteVisibility.koppel:
        return True
    if visibility is NoteVisibility.organisation:
        return scope.organisation_id == note.author_organisation_id
    return scope.principal.id == note.author_id


def can_read_note(scope: Scope, resident: ResidentReach, note: NoteReach) -> Decision:
    """Within the resident's compartment, the note's visibility decides: all koppel members, the
    author's organisation only (welfare notes never reach the police, and the reverse), or the author."""
    readable = can_read_resident(scope, resident)
    if not readable.allowed:
        return readable
    if _sees_note(scope, note, note.visibility):
        return ALLOWED
    return _hidden("the note is not visible to you")


def can_read_note_revision(
    scope: Scope, resident: ResidentReach, note: NoteReach, revision_visibility: NoteVisibility
) -> Decision:
    """An earlier version is read only by who may read the note now *and* could read that version:
    widening a note's visibility does not publish what was written under a narrower one."""
    readable = can_read_note(scope, resident, note)
    if not readable.allowed:
        return readable
    if _sees_note(scope, note, revision_visibility):
        return ALLOWED
    return _hidden("this version of the note is not visible to you")


def can_change_note(scope: Scope, resident: ResidentReach, note: NoteReach) -> Decision:
    """Only the author corrects or retracts a note (the previous versions are kept)."""
    readable = can_read_note(scope, resident, note)
    if not readable.allowed:
        return readable
    if scope.principal.id == note.author_id:
        return ALLOWED
    return _forbidden("only the note's author corrects or retracts it")


def can_read_shared_resident(scope: Scope, resident: ResidentReach, consented: bool) -> Decision:
    """An agency worker reads what a valid consent naming their organisation covers — nothing
    without one (404: the resident does not exist for the agency)."""
    if scope.role is Role.agency_worker:
        return ALLOWED if consented else _hidden("no valid consent names your organisation")
    if scope.role in KOPPEL_ROLES:
        if resident.wijk_id not in scope.wijk_ids:
            return _hidden("the resident is outside your scope")
        return _forbidden("koppel members read the resident itself, not the view shared with an agency")
    return _forbidden("only agencies read what a resident shared with them")


def can_exercise_rights(scope: Scope, resident: ResidentReach) -> Decision:
    """The privacy officer answers a resident's requests (export with every note, erasure): one
    accountable desk outside the compartments, so no koppel member reads another organisation's
    notes through an export, and no erasure happens on one member's say."""
    if scope.role is Role.privacy_officer:
        return ALLOWED
    if scope.role in KOPPEL_ROLES:
        if resident.wijk_id not in scope.wijk_ids:
            return _hidden("the resident is outside your scope")
        return _forbidden("a resident's requests (export, erasure) are answered by the privacy officer")
    if scope.role is Role.agency_worker:
        return _hidden("an agency sees a resident only under consent")
    return _forbidden(NO_RESIDENTS)


# --- use cases ---------------------------------------------------------------------------------


async def reachable_resident(
    uow: UnitOfWork,
    scope: Scope,
    resident_id: UUID,
    decide: Callable[[Scope, ResidentReach], Decision] = can_read_resident,
) -> Resident:
    """The resident when `decide` allows it; NotFound when missing, erased, or out of scope."""
    resident = await uow.residents.get(resident_id)
    if resident is None or resident.anonymised:
        raise NotFound(NOT_FOUND)
    enforce(decide(scope, resident.reach), NOT_FOUND)
    return resident


async def _check_wijk(uow: UnitOfWork, scope: Scope, wijk_id: UUID) -> None:
    # A wijk outside the caller's scope is reported exactly like one that does not exist.
    wijk = await uow.wijken.get(wijk_id)
    if wijk is None or not can_register_resident(scope, wijk_id).allowed:
        raise InvalidInput.field("wijkId", "no such wijk in your scope", code="unknown_reference")
    if not wijk.active:
        raise InvalidInput.field("wijkId", "the wijk is deactivated", code="inactive_reference")


async def register_resident(uow: UnitOfWork, access: Access, data: NewResident, now: datetime) -> Resident:
    """Register a resident in one of the caller's wijken."""
    scope = access.scope
    if scope.role not in KOPPEL_ROLES:
        enforce(can_register_resident(scope, data.wijk_id), NOT_FOUND)
    resident = check_resident(
        Resident(
            id=uuid4(),
            wijk_id=data.wijk_id,
            given_name=data.given_name,
            family_name=data.family_name,
            address=data.address,
            phone=data.phone,
            email=data.email,
            birth_year=data.birth_year,
            is_key_figure=data.is_key_figure,
            languages=tuple(data.languages),
            last_activity_at=now,
            anonymised_at=None,
            version=1,
            created_at=now,
            updated_at=now,
        ),
        now,
    )
    await _check_wijk(uow, scope, resident.wijk_id)
    await uow.residents.add(resident)
    await uow.audit.append(
        [audit_event(access.actor, AuditAction.create, resident.id, now, fields=disclosed(resident, RESIDENT_FIELDS))]
    )
    await uow.commit()
    return resident


async def get_resident(uow: UnitOfWork, access: Access, resident_id: UUID, now: datetime) -> Resident:
    """Read a resident in the caller's wijken (the read is audited before it is returned)."""
    resident = await reachable_resident(uow, access.scope, resident_id)
    await uow.audit.append(
        [audit_event(access.actor, AuditAction.read, resident.id, now, fields=disclosed(resident, RESIDENT_FIELDS))]
    )
    await uow.commit()
    return resident


@dataclass(frozen=True)
class OneTripRead:
    """A koppel member's read of a resident, asked of the store as one question (see read_resident)."""

    user_id: UUID
    readers: frozenset[Role]  # the koppel roles that may read here (route and token issuer allowing)
    resident_id: UUID
    on: date  # the day the scope is computed for
    event_id: UUID
    now: datetime
    request_id: str | None


@dataclass(frozen=True)
class OneTripAnswer:
    """The account (None when it does not exist) and the resident, present only when the account is
    active, has one of the reader roles and works in the resident's wijk on that day — and then the
    read is already in the audit trail."""

    account_role: Role | None
    account_active: bool
    resident: Resident | None


async def read_resident(uow: UnitOfWork, caller: Caller, resident_id: UUID, now: datetime, request_id: str | None) -> Resident:
    """GET /residents/{id}, the read a koppel does all day: the account behind the token, its scope
    today, the resident and the audit event of the read in one question to the store, where the store
    can answer it at once (one statement on PostgreSQL); otherwise step by step as get_resident. The
    rules are those of principal_of_token, compute_scope, can_read_resident and disclosed."""
    request = one_trip_read(caller, resident_id, now, request_id)
    answer = await uow.residents.read_audited(request) if request is not None else None
    if answer is None:  # a system's token, or a store without the one-trip read
        principal = await resolve_principal(uow, caller.kind, caller.id)
        _admit(caller, principal.role)
        scope = await load_scope(uow, principal, local_today(now))
        return await get_resident(uow, Access(scope, request_id), resident_id, now)
    resident = one_trip_resident(caller, answer)
    await uow.commit()
    return resident


def one_trip_read(caller: Caller, resident_id: UUID, now: datetime, request_id: str | None) -> OneTripRead | None:
    """The one question read_resident asks the store for a user's token; None for a system's token,
    whose account is read step by step."""
    if caller.kind is not PrincipalKind.user:
        return None
    readers = caller.roles & KOPPEL_ROLES
    if caller.vouched_roles is not None:
        readers = frozenset(r for r in readers if r.value in caller.vouched_roles)
    return OneTripRead(caller.id, readers, resident_id, local_today(now), new_event_id(), now, request_id)


def one_trip_resident(caller: Caller, answer: OneTripAnswer) -> Resident:
    """The resident the store's answer to one_trip_read gives `caller`, or the error the step-by-step
    read would raise (unknown or inactive account, role not admitted, resident not readable)."""
    if answer.account_role is None or not answer.account_active:
        raise AuthenticationFailed(UNKNOWN_ACCOUNT)
    _admit(caller, answer.account_role)
    if answer.resident is None:
        raise NotFound(NOT_FOUND)
    return answer.resident


def _admit(caller: Caller, role: Role) -> None:
    """The checks authenticate and RoleRequirement make, once the account's role is known."""
    if caller.vouched_roles is not None and role.value not in caller.vouched_roles:
        raise AuthenticationFailed(NOT_VOUCHED)
    if role not in caller.roles:
        raise Forbidden(f"role '{role}' may not call this endpoint")


async def search_residents(
    uow: UnitOfWork, access: Access, page: PageRequest, filters: ResidentFilter, now: datetime
) -> Page[Resident]:
    """Residents in the caller's wijken matching name words, postcode, huisnummer; one audit event
    per resident returned. The privacy officer searches every wijk, but only by exact address."""
    scope = access.scope
    enforce(can_search_residents(scope), NOT_FOUND)
    if scope.role is Role.privacy_officer and (filters.postcode is None or filters.huisnummer is None):
        raise InvalidInput(
            "the privacy officer finds a resident by postcode and huisnummer together",
            [
                InvalidParam(name, "required for the privacy officer", "required")
                for name, value in (("postcode", filters.postcode), ("huisnummer", filters.huisnummer))
                if value is None
            ],
        )
    wijk_ids = None if scope.role is Role.privacy_officer else scope.wijk_ids
    result = await uow.residents.search(wijk_ids, page, filters)
    if result.items:
        await uow.audit.append(
            [
                audit_event(access.actor, AuditAction.search_hit, r.id, now, fields=disclosed(r, SUMMARY_FIELDS))
                for r in result.items
            ]
        )
        await uow.commit()
    return result


def _changed(current: Resident, candidate: Resident) -> list[str]:
    return [wire for name, wire in WIRE_NAMES.items() if getattr(current, name) != getattr(candidate, name)]


async def update_resident(
    uow: UnitOfWork,
    access: Access,
    resident_id: UUID,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> Resident:
    """Correct or complete a resident's data (a move to another wijk stays within the caller's wijken)."""
    scope = access.scope
    current = await reachable_resident(uow, scope, resident_id, can_write_resident)
    candidate = check_resident(replace(current, **changes), now)
    if candidate.wijk_id != current.wijk_id:
        await _check_wijk(uow, scope, candidate.wijk_id)
    changed = _changed(current, candidate)
    updated = await uow.residents.save(replace(candidate, last_activity_at=now), expected_version, now)
    await uow.audit.append([audit_event(access.actor, AuditAction.update, resident_id, now, fields=changed)])
    await uow.commit()
    return updated
