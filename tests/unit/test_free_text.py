"""Free-text guard: real-looking personal data is found and masked; ordinary agenda text passes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import free_text
from domain.errors import InvalidInput
from domain.free_text import Finding, ensure_no_personal_data, find_personal_data, is_valid_bsn


def elfproef(number: str) -> bool:
    """Independent 11-check, written from the definition, to cross-check the module."""
    digits = [int(c) for c in number.zfill(9)]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8], strict=True))
    return any(digits) and (total - digits[8]) % 11 == 0


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


def only(text: str, kind: str) -> Finding:
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == [kind], findings
    return findings[0]


# --- BSN -----------------------------------------------------------------------------------

VALID_BSNS = ["111222333", "123456782", "691400507", "781676447", "116263684", "423483687"]
EIGHT_DIGIT_BSNS = ["12345672", "95732706", "41668881"]  # sofinummers written without the leading 0
FAILING_NINE_DIGITS = ["123456789", "111222334", "248526457", "505648108", "504533539", "594361079"]


@pytest.mark.parametrize("number", VALID_BSNS + EIGHT_DIGIT_BSNS)
def test_test_data_bsns_pass_the_11_check(number):
    assert elfproef(number) and is_valid_bsn(number)


@pytest.mark.parametrize("number", FAILING_NINE_DIGITS + ["000000000", "00000000", "12345678a", "1234567"])
def test_numbers_failing_the_11_check_are_not_bsns(number):
    assert not is_valid_bsn(number)


@pytest.mark.parametrize("number", VALID_BSNS + EIGHT_DIGIT_BSNS)
def test_bsn_in_a_sentence_is_found_and_masked(number):
    text = f"Meneer (BSN {number}) wil graag hulp bij zijn schulden."
    finding = only(text, "bsn")
    assert (finding.start, finding.end) == (text.index(number), text.index(number) + len(number))
    assert number not in finding.excerpt
    assert finding.excerpt.endswith(number[-2:]) and set(finding.excerpt[:-2]) == {"*"}


@pytest.mark.parametrize(
    "text, raw",
    [
        ("Burgerservicenummer 1234.56.782 staat op de pas.", "1234.56.782"),
        ("bsn: 123 456 782, geboren 1970", "123 456 782"),
        ("bsn 123.456.782", "123.456.782"),
        ("BSN-111222333.", "111222333"),
        ("sofinummer 012345672 (oud)", "012345672"),
    ],
)
def test_bsn_written_with_separators_or_padding_is_found(text, raw):
    finding = only(text, "bsn")
    assert text[finding.start : finding.end] == raw
    assert finding.excerpt.endswith(raw[-2:])
    assert re.sub(r"[^0-9]", "", finding.excerpt) == raw[-2:]


@pytest.mark.parametrize(
    "text",
    [
        *[f"Dossiernummer {n} is afgesloten." for n in FAILING_NINE_DIGITS],
        "Factuur 1234567823 is betaald",  # ten digits
        "referentie 12.123456782",  # part of a decimal number
        "code AB123456782",  # glued to letters
        "1234.56.789",  # ID-card layout, but fails the check
        "Datum 20240107 en 06012024",  # compact dates that happen to pass the 11-check
        "Stichting Buurtkracht, KvK 12345672",
        "KvK-nummer: 41668881",
        "RSIN 111222333 van de stichting",
        "Bedrag 150000000",  # fails the 11-check
    ],
)
def test_nine_digit_numbers_that_are_not_bsns_pass(text):
    assert kinds(text) == []


# --- Phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, excerpt",
    [
        ("06-12345678", "06-****5678"),
        ("06 1234 5678", "06 **** 5678"),
        ("0612345678", "06****5678"),
        ("06 - 12 34 56 78", "06 - ** ** 56 78"),
        ("06\u00a0\u2013\u00a012345678", "06\u00a0\u2013\u00a0****5678"),
        ("(06) 12345678", "(06) ****5678"),
        ("+31 6 12345678", "+31 6 ****5678"),
        ("+31 (0)6-12345678", "+31 (0)6-****5678"),
        ("+316 12345678", "+316 ****5678"),
        ("0031612345678", "00316****5678"),
        ("0031 6 1234 5678", "0031 6 **** 5678"),
        ("010-1234567", "010-****567"),
        ("010 123 4567", "010 *** *567"),
        ("(010) 123 45 67", "(010) *** *5 67"),
        ("020 - 123 45 67", "020 - *** *5 67"),
        ("0592-123456", "0592-***456"),
        ("0592 12 34 56", "0592 ** *4 56"),
        ("+31 20 123 4567", "+31 20 *** *567"),
        ("+31 (0)20 1234567", "+31 (0)20 ****567"),
        ("+31201234567", "+3120****567"),
        ("085-1234567", "085-****567"),
    ],
)
def test_dutch_phone_numbers_are_found_and_masked(raw, excerpt):
    text = f"Bewoner is bereikbaar op {raw}, liefst na vijven."
    finding = only(text, "phone")
    assert text[finding.start : finding.end] == raw
    assert finding.excerpt == excerpt
    assert finding.excerpt != raw


@pytest.mark.parametrize(
    "text",
    [
        "WK010601",
        "BU01060101",
        "Gemeente GM0106",
        "in 2024 kostte het 1234 euro",
        "om 14:30 bij het buurthuis",
        "van 09.00 tot 12.30 uur, daarna 07:15",
        "postcode 9401 alleen",
        "ordernummer 4711002938",  # ten digits, not a Dutch phone number
        "ordernummer 0012345678",
        "Op 06-12-2024 12 deelnemers bij de bijeenkomst",
        "06-12-2024 10:30 overleg",
        "2024-06-12 10:30",
        "Bel bij geen spoed de politie: 0900-8844, bij spoed 112.",
        "Gratis advies via 0800-1234567 of 0800 8051.",
        "GGD-regio via 088 123 4567",  # company number, not a person's
        "Kosten € 1.234.567,89 en 0,50 per stuk",
        "Tussen 010 en 020 ligt de A4.",
        "Kamer 06 op verdieping 2",
        "Versie 0.6.1234567",
    ],
)
def test_numbers_that_are_not_phone_numbers_pass(text):
    assert kinds(text) == []


# --- E-mail addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, excerpt",
    [
        ("jan.de.vries@hotmail.com", "j***@h***.com"),
        ("fatima_el-amrani+buurt@gmail.com", "f***@g***.com"),
        ("p.jansen@gemeente.rotterdam.nl", "p***@g***.nl"),
        ("info@familie-bakker.nl", "i***@f***.nl"),
        ("José.Müller@voorbeeld.nl", "J***@v***.nl"),
        ("0612345678@kpn.nl", "0***@k***.nl"),  # one e-mail, not a phone number plus an e-mail
    ],
)
def test_email_addresses_are_found_and_masked(raw, excerpt):
    text = f"Mail naar {raw}. Dank!"
    finding = only(text, "email")
    assert text[finding.start : finding.end] == raw
    assert finding.excerpt == excerpt


@pytest.mark.parametrize(
    "text",
    [
        "Twitter: @wijkteam_noord",
        "Vergadering @ buurthuis De Horizon",
        "jan@localhost",
        "Stuur het naar de wijkagent via het portaal.",
        "prijs: 3 @ 2,50",
    ],
)
def test_things_that_are_not_email_addresses_pass(text):
    assert kinds(text) == []


# --- Postcode + house number ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, excerpt",
    [
        ("1234 AB 12", "12** ** **"),
        ("1234AB 12a", "12**** ***"),
        ("1234 ab, 12-3", "12** **, **-*"),
        ("3011 AB 1", "30** ** *"),
        ("9401 GH, 123", "94** **, ***"),
        ("2514 EN 7-bis", "25** ** *-***"),  # capitals count even when they spell a word
        ("1012AB12", "10******"),
        ("3512 KT nr. 4", "35** ** **. *"),
    ],
)
def test_postcode_with_house_number_is_found_and_masked(raw, excerpt):
    text = f"Melding over {raw} (portiek)."
    finding = only(text, "address")
    assert text[finding.start : finding.end] == raw
    assert finding.excerpt == excerpt


def test_postal_form_street_number_then_postcode_is_found():
    text = "Zij woont aan de Kerkstraat 12a, 1234 AB Rotterdam."
    finding = only(text, "address")
    assert text[finding.start : finding.end] == "12a, 1234 AB"
    assert finding.excerpt == "***, 12** **"


@pytest.mark.parametrize(
    "text",
    [
        "postcode 9401 alleen",
        "Het gaat om postcodegebied 3011 AB in zijn geheel.",
        "1234 AB",
        "0123 AB 12",  # postcodes never start with 0
        "1234 SA 12",
        "1234 sd 12",
        "1234 SS 12",
        "in 2024 is 12 keer overlast gemeld",
        "van de 1500 en 20 extra flyers",
        "Reed 1200 km 3 dagen lang",
        "Kerkstraat 12",  # a street and number without postcode is a public place as often as a home
        "ABCD1234 AB 12",  # glued to a word
        "1234 ABC 12",
    ],
)
def test_postcodes_alone_and_lookalikes_pass(text):
    assert kinds(text) == []


# --- Whole texts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Veel overlast van hangjongeren bij het winkelcentrum, graag agenderen bij politie.",
        "Bewoners van de flat klagen over zwerfvuil bij de containers; afspraak met wijkbeheer op "
        "12 maart om 10:00.",
        "In wijk WK010601 (buurt BU01060101) zijn in 2024 zo'n 35 meldingen gedaan, 12% meer dan in 2023.",
        "Buurtbudget € 2.500,- aangevraagd bij gemeente GM0106 voor het straatfeest op 06-07-2024.",
        "Signaal: vermoedelijk drugshandel rond speeltuin, tussen 22.00 en 01.00 uur, 3 tot 4 personen.",
        "Doorverwijzen naar schuldhulp; mevrouw heeft toestemming gegeven (mondeling, 14-02-2024).",
        "Portiekgesprekken in postcodegebied 9401, huisnummers even zijde.",
        "Bel bij spoed 112, anders 0900-8844 of ga naar het politiebureau.",
    ],
)
def test_ordinary_koppel_texts_pass(text):
    assert find_personal_data(text) == []


def test_several_findings_come_sorted_without_overlap():
    text = "Mw. Jansen, 1234 AB 12, tel 06-12345678 of jansen@ziggo.nl, bsn 123456782. Zoon op 010-1234567."
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["address", "phone", "email", "bsn", "phone"]
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for earlier, later in zip(findings, findings[1:], strict=False):
        assert earlier.end <= later.start
    assert [text[f.start : f.end] for f in findings] == [
        "1234 AB 12",
        "06-12345678",
        "jansen@ziggo.nl",
        "123456782",
        "010-1234567",
    ]


def test_finding_is_frozen():
    finding = only("bsn 123456782", "bsn")
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]


# --- ensure_no_personal_data ---------------------------------------------------------------


def test_clean_fields_pass_and_none_or_empty_are_skipped():
    ensure_no_personal_data(
        {
            "title": "Overlast hangjongeren",
            "description": "Graag agenderen bij politie.",
            "note": None,
            "x": "",
        }
    )


def test_refusal_names_each_field_code_and_offset_without_echoing_values():
    fields = {
        "title": "Overlast bij 1234 AB 12",
        "description": "Bel mw. op 06-12345678 of mail m.bakker@hotmail.com",
        "note": None,
        "remark": "BSN 111222333",
    }
    with pytest.raises(InvalidInput) as caught:
        ensure_no_personal_data(fields)
    error = caught.value
    assert error.code == "invalid_input"
    assert [(p.name, p.code) for p in error.params] == [
        ("title", "personal_data_address"),
        ("description", "personal_data_phone"),
        ("description", "personal_data_email"),
        ("remark", "personal_data_bsn"),
    ]
    reasons = [p.reason for p in error.params]
    expected = [
        ("postcode", fields["title"].index("1234"), "12** ** **"),
        ("phone", fields["description"].index("06-"), "06-****5678"),
        ("e-mail", fields["description"].index("m.bakker"), "m***@h***.com"),
        ("BSN", 4, "*******33"),
    ]
    for reason, (label, offset, excerpt) in zip(reasons, expected, strict=True):
        assert label in reason and f"offset {offset};" in reason and f"({excerpt})" in reason
    everything = error.detail + " ".join(reasons)
    for raw in ("1234 AB 12", "06-12345678", "12345678", "m.bakker@hotmail.com", "bakker", "111222333"):
        assert raw not in everything


@pytest.mark.parametrize(
    "raw",
    [
        "123456782",
        "1234.56.782",
        "0612345678",
        "+31 20 123 4567",
        "jan@devries.nl",
        "1234 AB 12",
        "0592-123456",
    ],
)
def test_excerpt_never_reveals_the_value(raw):
    (finding,) = find_personal_data(f"zie {raw} graag")
    assert finding.excerpt != raw
    digits = re.sub(r"[^0-9]", "", raw)
    if digits:
        assert re.sub(r"[^0-9]", "", finding.excerpt) != digits
        # At most half of the digits, and never more than four, stay readable.
        assert len(re.sub(r"[^0-9]", "", finding.excerpt)) <= max(4, len(digits) // 2 + 2)


def test_module_is_pure_standard_library_and_domain():
    tree = ast.parse(Path(free_text.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "re", "collections", "dataclasses", "domain"}, imported


# --- Properties ----------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéëèïöüáóçĳ"
WORD = st.text(alphabet=LETTERS, min_size=1, max_size=14)
GAP = st.sampled_from([" ", " ", " ", ", ", ". ", "; ", " - ", "\n", "'", "(", ") ", "! ", "? ", ": "])


@st.composite
def dutch_like_text(draw):
    words = draw(st.lists(WORD, min_size=1, max_size=40))
    gaps = draw(st.lists(GAP, min_size=len(words), max_size=len(words)))
    return "".join(word + gap for word, gap in zip(words, gaps, strict=True))


@settings(max_examples=300, deadline=None)
@given(dutch_like_text())
def test_words_without_digits_or_at_sign_never_produce_findings(text):
    assert not any(c.isdigit() or c == "@" for c in text)
    assert find_personal_data(text) == []


def _with_check_digit(first_eight: int) -> str | None:
    digits = f"{first_eight:08d}"
    check = sum(w * int(d) for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
    return digits + str(check) if check < 10 else None


VALID_BSN = st.integers(1, 99_999_999).map(_with_check_digit).filter(lambda bsn: bsn is not None)


@settings(max_examples=200, deadline=None)
@given(dutch_like_text(), VALID_BSN, dutch_like_text())
def test_a_valid_bsn_between_words_is_always_found(before, bsn, after):
    text = f"{before} {bsn} {after}"
    assert elfproef(bsn)
    findings = find_personal_data(text)
    start = len(before) + 1
    assert [(f.kind, f.start, f.end) for f in findings] == [("bsn", start, start + 9)]
    assert bsn not in findings[0].excerpt
