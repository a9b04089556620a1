"""Free-text guard: finds personal data (BSN, phone, e-mail, postcode + house number) in text
bound for the police feed or an agency, and refuses it without echoing the value back.

Standard library only: agenda items and referral notes reuse this from the domain layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from domain.errors import InvalidInput, InvalidParam

BSN = "bsn"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"

KIND_LABELS: dict[str, str] = {
    BSN: "a BSN (burgerservicenummer)",
    PHONE: "a phone number",
    EMAIL: "an e-mail address",
    ADDRESS: "a postcode with house number",
}

# When two candidates overlap at the same start and length, the more specific kind wins.
_PRIORITY = {EMAIL: 0, ADDRESS: 1, PHONE: 2, BSN: 3}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind, span [start, end) and a masked excerpt."""

    kind: str
    start: int
    end: int
    excerpt: str


# Text pasted from word processors carries no-break spaces and en dashes ("06 – 1234 5678"),
# so separators accept them alongside the ASCII ones.
_SP = "[ \u00a0\u202f]"
_DASH = "[-\u2010\u2011\u2013]"

# --- BSN -----------------------------------------------------------------------------------

_BSN_PATTERN = re.compile(
    # Not glued to a word or to a preceding number ("12.123456782" is a decimal, not a BSN).
    r"(?<![\w+])(?<![0-9][.,/-])"
    r"(?:"
    r"[0-9]{8,9}"
    # The ID-card layout 1234.56.782 and the grouped 123 456 782, with one separator style.
    rf"|[0-9]{{4}}(?P<s1>[.]|{_SP})[0-9]{{2}}(?P=s1)[0-9]{{3}}"
    rf"|[0-9]{{3}}(?P<s2>[.]|{_SP})[0-9]{{3}}(?P=s2)[0-9]{{3}}"
    r")"
    r"(?!\w|[.,/-][0-9])"
)

# Chamber of Commerce (8 digits) and RSIN (9 digits, same 11-check) numbers identify
# organisations, which agenda items legitimately mention; a label right before says so.
_ORGANISATION_NUMBER_LABEL = re.compile(
    r"(?:\bkvk|kamer\s+van\s+koophandel|\brsin)(?:[\s-]*(?:nummer|nr)\b)?[\s.:#-]*$",
    re.IGNORECASE,
)


def is_valid_bsn(digits: str) -> bool:
    """True if `digits` (8 or 9 digits, no separators) is a BSN passing the 11-check."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 9):
        return False
    # An 8-digit BSN is an old sofinummer written without its leading zero.
    padded = digits.zfill(9)
    if set(padded) == {"0"}:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, padded, strict=True)) % 11 == 0


def _looks_like_compact_date(digits: str) -> bool:
    # 20240115 or 15012024: an 8-digit date passes the 11-check one time in eleven.
    def plausible(year: str, month: str, day: str) -> bool:
        return 1900 <= int(year) <= 2099 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31

    return plausible(digits[:4], digits[4:6], digits[6:]) or plausible(digits[4:], digits[2:4], digits[:2])


def _bsn_findings(text: str) -> Iterator[Finding]:
    for match in _BSN_PATTERN.finditer(text):
        raw = match.group()
        digits = re.sub(r"[^0-9]", "", raw)
        if not is_valid_bsn(digits):
            continue
        if len(digits) == 8 and _looks_like_compact_date(digits):
            continue
        if _ORGANISATION_NUMBER_LABEL.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        yield Finding(BSN, match.start(), match.end(), _mask_digits(raw, keep_last=2))


# --- Phone numbers -------------------------------------------------------------------------

# Between area code and subscriber number: "-", " - ", "/", ".", a space, or ")" after "(010".
_AREA_SEP = rf"(?:{_SP}?(?:{_DASH}|/){_SP}?|[.]|{_SP}|\){_SP}?)?"
# Inside the subscriber number at most one separator between digits: "12 34 56 78", "123-4567".
_INNER_SEP = rf"(?:{_SP}|[.]|{_DASH})?"
_PREFIX = (
    r"(?<![\w+])(?<![0-9][.,])"
    rf"(?:(?:\+|00)31{_SP}?{_DASH}?{_SP}?(?:\(0\){_SP}?{_DASH}?{_SP}?)?|\(?0)"
)
# Trailing digits, or ".5" / ":30" / "-9", would make it part of a longer number or a time.
_PHONE_END = r"(?!\w|[.,:/\u2013-][0-9])"


def _phone_pattern(area: str, subscriber_digits: int, first_digit: str = "[0-9]") -> re.Pattern[str]:
    subscriber = first_digit + f"(?:{_INNER_SEP}[0-9]){{{subscriber_digits - 1}}}"
    return re.compile(f"{_PREFIX}(?:{area}){_AREA_SEP}(?P<subscriber>{subscriber}){_PHONE_END}")


# Numbers that reach a person: mobile 06 (never 060…), geographic area codes 01–05 and 07, and
# the nomadic/personal 084, 085, 087 and 091. Deliberately not 0800/090x service numbers,
# 088 company numbers or 097 machine numbers: those belong to organisations (the police's own
# 0900-8844 among them) and belong in an agenda item.
_PHONE_PATTERNS = (
    _phone_pattern("6", 8, first_digit="[1-9]"),
    _phone_pattern("[1-57][0-9]|8[457]|91", 7),
    _phone_pattern("[1-57][0-9]{2}", 6),
)

_DATE_PATTERN = re.compile(
    r"(?<![0-9])(?<![0-9][-/.])"
    r"(?:(?P<day>[0-9]{1,2})(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?:[0-9]{4}|[0-9]{2})"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?![0-9]|[-/.][0-9])"
)


def _date_spans(text: str) -> list[tuple[int, int]]:
    # "06-12-2024 12 deelnemers" would otherwise read as mobile number 06-12202412.
    spans = []
    for match in _DATE_PATTERN.finditer(text):
        day, month = match.group("day"), match.group("month")
        if day is None or (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
            spans.append(match.span())
    return spans


def _phone_findings(text: str) -> Iterator[Finding]:
    dates = _date_spans(text)
    # Area codes have 1-3 digits, so one span can parse several ways ("0592-123456" as 059 or
    # 0592). Keep the parse whose area code ends at a separator, else the shortest area code,
    # so the excerpt reveals the area code and nothing of the subscriber number.
    best: dict[tuple[int, int], tuple[tuple[bool, int], str]] = {}
    for pattern in _PHONE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < date_end and date_start < span[1] for date_start, date_end in dates):
                continue
            raw = match.group()
            cut = match.start("subscriber") - span[0]
            rank = (raw[cut - 1].isdigit(), cut)
            if span not in best or rank < best[span][0]:
                best[span] = (rank, raw[:cut] + _mask_subscriber(raw[cut:]))
    for (start, end), (_, excerpt) in best.items():
        yield Finding(PHONE, start, end, excerpt)


def _mask_subscriber(raw: str) -> str:
    # Show at most half the subscriber number, and never more than four digits.
    return _mask_digits(raw, keep_last=min(4, sum(c.isdigit() for c in raw) // 2))


# --- E-mail addresses ----------------------------------------------------------------------

_EMAIL_PATTERN = re.compile(
    r"(?<![\w.%+'-])"
    r"(?P<local>[\w.%+'-]+)@(?P<domain>[\w-]+(?:\.[\w-]+)*)\.(?P<tld>[^\W\d_]{2,})"
    r"(?![\w-]|\.\w)"
)


def _email_findings(text: str) -> Iterator[Finding]:
    for match in _EMAIL_PATTERN.finditer(text):
        # The domain can be as personal as the local part (jan@devries-familie.nl): mask both.
        local, domain, tld = match.group("local", "domain", "tld")
        excerpt = f"{local[0]}***@{domain[0]}***.{tld}"
        yield Finding(EMAIL, match.start(), match.end(), excerpt)


# --- Postcode + house number ---------------------------------------------------------------

# Postcodes run 1000–9999 and never use the letter pairs SA, SD or SS.
_POSTCODE = rf"(?P<postcode>[1-9][0-9]{{3}}{_SP}?(?P<letters>(?![Ss][AaDdSs])[A-Za-z]{{2}}))(?![A-Za-z])"
_HOUSE_NUMBER = (
    rf"(?P<number>[1-9][0-9]{{0,4}}(?:{_DASH}?[A-Za-z]{{1,4}}(?![A-Za-z])|(?:{_DASH}|/)[0-9]{{1,4}})?)"
    r"(?![0-9]|[.,:][0-9])"
)
_NUMBER_LABEL = r"(?:(?:huis)?n(?:umme)?r\.?|no\.?)"

# Lookup form, as an opbouwwerker notes an address: "1234 AB 12", "1234AB 12a", "1234 ab, 12-3".
_POSTCODE_THEN_NUMBER = re.compile(
    rf"(?<!\w){_POSTCODE}{_SP}*(?:,|{_DASH})?{_SP}*(?:{_NUMBER_LABEL}{_SP}*)?{_HOUSE_NUMBER}",
    re.IGNORECASE,
)
# Postal form "Kerkstraat 12, 1234 AB": the house number follows a word, the postcode follows it.
_NUMBER_THEN_POSTCODE = re.compile(
    rf"(?<=[^\W\d_]{_SP}){_HOUSE_NUMBER}(?:{_SP}*,{_SP}*|{_SP}+){_POSTCODE}",
    re.IGNORECASE,
)

# A lower-case pair after four digits is usually a word ("in 2024 is 12 keer..."), not a
# postcode; capitals ("2024 EN") are taken as a postcode whatever they spell.
_SHORT_WORDS = frozenset(
    """
    al as at be by ca da de di do du ed ee eh en er ex ga ge go he hm ie if in is it ja je jr
    ka kg km cm mm ml kb mb gb la ma me mn na ne no nr nu of oh ok om on op or ou pm pp sr st
    te to tv uw up us vs we wo xl za ze zn zo
    """.split()
)


def _address_findings(text: str) -> Iterator[Finding]:
    for pattern in (_POSTCODE_THEN_NUMBER, _NUMBER_THEN_POSTCODE):
        for match in pattern.finditer(text):
            letters = match.group("letters")
            if not letters.isupper() and letters.lower() in _SHORT_WORDS:
                continue
            start, end = match.span()
            # Keep the postcode's two leading digits (a region, not a home); mask the rest.
            keep = match.start("postcode") - start
            excerpt = "".join(
                c if not c.isalnum() or keep <= i < keep + 2 else "*" for i, c in enumerate(match.group())
            )
            yield Finding(ADDRESS, start, end, excerpt)


# --- Public API ----------------------------------------------------------------------------


def _mask_digits(raw: str, keep_last: int) -> str:
    # Separators stay so the writer recognises the spot; only the last few digits show.
    total = sum(c.isdigit() for c in raw)
    seen = 0
    out = []
    for c in raw:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - keep_last else "*")
        else:
            out.append(c)
    return "".join(out)


_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _email_findings,
    _address_findings,
    _phone_findings,
    _bsn_findings,
)


def find_personal_data(text: str) -> list[Finding]:
    """All personal data found in `text`, sorted by position, without overlapping findings."""
    candidates = [finding for detect in _DETECTORS for finding in detect(text)]
    # Earliest start first, then the longest span: an e-mail "0612345678@kpn.nl" is one
    # e-mail, not a phone number plus an e-mail.
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), _PRIORITY[f.kind]))
    findings: list[Finding] = []
    for candidate in candidates:
        if not findings or candidate.start >= findings[-1].end:
            findings.append(candidate)
    return findings


def ensure_no_personal_data(fields: Mapping[str, str | None]) -> None:
    """Raise InvalidInput naming each field and offset holding personal data; None/empty fields pass."""
    params = [
        InvalidParam(
            name=name,
            reason=(
                f"contains what looks like {KIND_LABELS[finding.kind]} ({finding.excerpt}) "
                f"at character offset {finding.start}; remove it, this text leaves the koppel"
            ),
            code=f"personal_data_{finding.kind}",
        )
        for name, text in fields.items()
        if text
        for finding in find_personal_data(text)
    ]
    if params:
        raise InvalidInput(
            "Text bound for the police or an agency must not contain personal data "
            f"({len(params)} finding(s)); see invalidParams.",
            params,
        )
