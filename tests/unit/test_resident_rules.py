"""The rules about residents without a database: postcode and BAG id, identity checks, name search
keys, consent validity, and which residents a retention run selects."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.consents import Consent, ConsentForm, ConsentScope, consented_items
from domain.errors import InvalidInput
from domain.residents import (
    Address,
    Resident,
    check_resident,
    is_nummeraanduiding_id,
    name_key,
    normalise_postcode,
)
from domain.rights import check_retention_months, is_due_for_retention, months_before

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("9401AB", "9401AB"),
        ("9401 ab", "9401AB"),
        (" 1011 DK ", "1011DK"),
        ("1000AA", "1000AA"),
        ("9999ZZ", "9999ZZ"),
        ("1234SB", "1234SB"),  # SB is issued; only SA, SD and SS are not
    ],
)
def test_dutch_postcodes_are_normalised(raw: str, stored: str) -> None:
    assert normalise_postcode(raw) == stored


@pytest.mark.parametrize(
    "raw",
    ["0123AB", "123AB", "12345AB", "1234A", "1234ABC", "1234SA", "1234SD", "1234 ss", "1234  AB", "1234-AB", "ABCD12", ""],
)
def test_what_is_not_a_dutch_postcode(raw: str) -> None:
    assert normalise_postcode(raw) is None


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0106200000012345", True),  # Assen, object type 20
        ("0363200000218908", True),
        ("0106010000012345", False),  # object type 01 is a verblijfsobject, not a nummeraanduiding
        ("0106100000012345", False),  # 10: a pand
        ("010620000001234", False),  # 15 digits
        ("01062000000123456", False),
        ("0106 20 0000012345", False),
        ("010620000001234a", False),
    ],
)
def test_bag_nummeraanduiding_ids(value: str, valid: bool) -> None:
    assert is_nummeraanduiding_id(value) is valid


def resident(**fields: object) -> Resident:
    base = Resident(
        id=uuid4(), wijk_id=uuid4(), given_name="Fatima", family_name="El Khatib", address=None, phone=None,
        email=None, birth_year=None, is_key_figure=False, languages=(), last_activity_at=NOW, anonymised_at=None,
        version=1, created_at=NOW, updated_at=NOW,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def invalid_fields(candidate: Resident) -> set[str]:
    with pytest.raises(InvalidInput) as refused:
        check_resident(candidate, NOW)
    return {p.name for p in refused.value.params}


def test_a_resident_is_normalised() -> None:
    checked = check_resident(
        resident(
            given_name="  Fatima  ", family_name="El   Khatib",
            address=Address("9401 ab", 12, " a ", None), phone=" 06 1234 5678 ", email=" f@voorbeeld.nl ",
            birth_year=1968, languages=("NL", "ar", "nl"),
        ),
        NOW,
    )
    assert checked.given_name == "Fatima" and checked.family_name == "El Khatib"
    assert checked.address == Address("9401AB", 12, "A", None)
    assert checked.phone == "06 1234 5678" and checked.email == "f@voorbeeld.nl"
    assert checked.languages == ("nl", "ar") and checked.birth_decade == 1960


def test_every_offending_field_is_named_at_once() -> None:
    assert invalid_fields(
        resident(
            given_name=" ", family_name=None, address=Address("1234SS", 0, "!", "123"), phone="0612",
            email="nobody", birth_year=NOW.year + 1, languages=("nl", "xx"),
        )
    ) == {
        "givenName", "address.postcode", "address.huisnummer", "address.toevoeging", "address.nummeraanduidingId",
        "phone", "email", "birthYear", "languages",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_year": NOW.year - 121}, "birthYear"),
        ({"given_name": "x" * 101}, "givenName"),
        ({"phone": "+31 6 1234 5678 9012 3"}, "phone"),  # more than 15 digits
        ({"email": "a@b"}, "email"),
        ({"languages": tuple(["nl"] * 1 + ["en", "de", "fr", "es", "it", "pt", "tr", "ar", "pl", "ro"])}, "languages"),
    ],
)
def test_limits(fields: dict[str, object], field: str) -> None:
    assert invalid_fields(resident(**fields)) == {field}


def test_name_keys_ignore_case_accents_and_spacing() -> None:
    assert name_key("Çelik", " Ömer  ") == "celik omer"
    assert name_key(None, "VAN DEN BERG") == "van den berg"
    assert name_key(None, None) == ""


def consent(**fields: object) -> Consent:
    base = Consent(
        id=uuid4(), resident_id=uuid4(), organisation_id=ORG, scope=frozenset({ConsentScope.identity}),
        purpose="aanmelding", given_how=ConsentForm.spoken, given_at=NOW - timedelta(days=1),
        recorded_by_id=uuid4(), recorded_by_organisation_id=uuid4(), withdrawn_at=None, withdrawn_by_id=None,
        version=1, created_at=NOW, updated_at=NOW,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


ORG, OTHER = uuid4(), uuid4()


@pytest.mark.parametrize(
    ("fields", "organisation", "item", "covered"),
    [
        ({}, ORG, ConsentScope.identity, True),
        ({}, OTHER, ConsentScope.identity, False),
        ({}, ORG, ConsentScope.contact_details, False),
        ({"given_at": NOW + timedelta(seconds=1)}, ORG, ConsentScope.identity, False),  # not given yet
        ({"given_at": NOW}, ORG, ConsentScope.identity, True),
        ({"withdrawn_at": NOW}, ORG, ConsentScope.identity, False),  # withdrawn at this very instant
        ({"withdrawn_at": NOW + timedelta(seconds=1)}, ORG, ConsentScope.identity, True),  # withdrawn later
        ({"withdrawn_at": NOW - timedelta(hours=1)}, ORG, ConsentScope.identity, False),
    ],
)
def test_when_a_consent_covers_a_request(fields: dict[str, object], organisation: object, item: ConsentScope, covered: bool) -> None:
    assert consent(**fields).covers(organisation, item, NOW) is covered  # type: ignore[arg-type]


def test_consented_items_combine_valid_consents_only() -> None:
    identity = consent()
    contact = consent(scope=frozenset({ConsentScope.contact_details, ConsentScope.need_description}))
    withdrawn = consent(scope=frozenset(ConsentScope), withdrawn_at=NOW - timedelta(minutes=1))
    for_other = consent(organisation_id=OTHER, scope=frozenset(ConsentScope))
    found = consented_items([withdrawn, identity, contact, for_other], ORG, NOW)
    assert found == {
        ConsentScope.identity: identity,
        ConsentScope.contact_details: contact,
        ConsentScope.need_description: contact,
    }
    assert consented_items([withdrawn, for_other], ORG, NOW) == {}


@pytest.mark.parametrize(
    ("instant", "months", "expected"),
    [
        (datetime(2026, 11, 21, 12, tzinfo=UTC), 24, datetime(2024, 11, 21, 12, tzinfo=UTC)),
        (datetime(2026, 3, 31, 8, tzinfo=UTC), 1, datetime(2026, 2, 28, 8, tzinfo=UTC)),
        (datetime(2024, 3, 31, 8, tzinfo=UTC), 1, datetime(2024, 2, 29, 8, tzinfo=UTC)),  # leap year
        (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15, tzinfo=UTC)),  # across a year
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
        (datetime(2026, 5, 31, tzinfo=UTC), 240, datetime(2006, 5, 31, tzinfo=UTC)),
    ],
)
def test_the_retention_cutoff_counts_calendar_months(instant: datetime, months: int, expected: datetime) -> None:
    assert months_before(instant, months) == expected


def test_which_residents_a_retention_run_selects() -> None:
    cutoff = months_before(NOW, 24)
    assert is_due_for_retention(resident(last_activity_at=cutoff - timedelta(seconds=1)), cutoff)
    assert not is_due_for_retention(resident(last_activity_at=cutoff), cutoff)  # exactly 24 months: not yet
    assert not is_due_for_retention(resident(last_activity_at=NOW), cutoff)
    anonymised = resident(last_activity_at=cutoff - timedelta(days=400), anonymised_at=NOW - timedelta(days=1))
    assert not is_due_for_retention(anonymised, cutoff)  # done already: a run is idempotent


@pytest.mark.parametrize("months", [0, -1, 241])
def test_a_retention_period_within_reason(months: int) -> None:
    with pytest.raises(InvalidInput):
        check_retention_months(months)
    check_retention_months(1)
    check_retention_months(240)
