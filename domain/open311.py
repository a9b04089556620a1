"""Open311 GeoReport v2 in the domain's terms: services are our signal categories, a service request
is a signal a housing corporation's system submitted, and the request parameters become a NewSignal
under the same intake rules as POST /api/v1/signals.

The spec has no place for the submitter's own reference; a client may send it as
`attribute[reference]` (FixMyStreet's way of passing its own id). Without it, the reference is derived
from what the request reports (service, location, description), so an Open311 client that cannot send
an Idempotency-Key still never stores the same report twice. The spec's personal fields (email, names,
phone, device and account ids) are accepted and not stored: a corporation's signal names no reporter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.casework import Priority
from domain.casework_policies import can_read_signal
from domain.errors import Forbidden, InvalidInput, InvalidParam, NotFound
from domain.geo import Address, GeoPoint
from domain.identity import Role
from domain.ports import UnitOfWork
from domain.scope import Scope, enforce
from domain.signals import SIGNAL_TRANSITIONS, NewSignal, Signal, SignalCategory, SignalStatus

MAX_IDS = 50
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
REFERENCE_ATTRIBUTE = "attribute[reference]"
# Spec parameters we accept; the personal ones are never stored.
SPEC_PARAMETERS = frozenset(
    {"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "description",
     "media_url", REFERENCE_ATTRIBUTE}
)
NOT_STORED = frozenset({"email", "device_id", "account_id", "first_name", "last_name", "phone"})
POSTCODE = re.compile(r"\b([1-9][0-9]{3}) ?([A-Za-z]{2})\b")
HOUSE_NUMBER = re.compile(r"\b([1-9][0-9]{0,4})(?:[ -]?([A-Za-z0-9]{1,4}))?\b")

# Our fields as Open311 calls them, for error messages.
PARAMETER_OF_FIELD = {
    "category": "service_code",
    "description": "description",
    "location": "address_string",
    "location.address.postcode": "address_string",
    "location.address.houseNumber": "address_string",
    "location.address.houseNumberAddition": "address_string",
    "location.point": "lat/long",
    "externalReference": REFERENCE_ATTRIBUTE,
    "wijkId": "address_string",
}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    description: str


SERVICES: dict[SignalCategory, Service] = {
    c: Service(c.value, name, group, description)
    for c, name, group, description in [
        (SignalCategory.onderhoud, "Onderhoud", "onderhoud", "Gebreken aan woning of portiek"),
        (SignalCategory.vocht_schimmel, "Vocht en schimmel", "onderhoud", "Vocht, lekkage of schimmel in de woning"),
        (SignalCategory.verwaarlozing, "Verwaarlozing", "onderhoud", "Verwaarloosde woning of tuin"),
        (SignalCategory.vervuiling, "Vervuiling", "leefbaarheid", "Zwerfafval, dumpingen, vervuilde portieken"),
        (SignalCategory.vandalisme, "Vandalisme", "leefbaarheid", "Vernielingen in of rond het complex"),
        (SignalCategory.geluidsoverlast, "Geluidsoverlast", "overlast", "Geluidsoverlast van buren of omgeving"),
        (SignalCategory.burenruzie, "Burenruzie", "overlast", "Conflict tussen buren"),
        (SignalCategory.drugsoverlast, "Drugsoverlast", "overlast", "Overlast door drugsgebruik of -handel"),
        (SignalCategory.jongerenoverlast, "Jongerenoverlast", "overlast", "Overlast door groepen jongeren"),
        (SignalCategory.onveiligheid, "Onveiligheid", "veiligheid", "Onveilige situaties in of rond het complex"),
        (SignalCategory.toezicht_kinderen, "Toezicht op kinderen", "veiligheid", "Zorgen over toezicht op kinderen"),
        (SignalCategory.overig, "Overig", "overig", "Iets anders"),
    ]
}


def _parameter(name: str) -> str:
    return PARAMETER_OF_FIELD.get(name, name)


def in_open311_terms(error: InvalidInput) -> InvalidInput:
    """The same refusal, naming the Open311 parameters the client sent rather than our fields."""
    params = [InvalidParam(_parameter(p.name), p.reason, p.code) for p in error.params]
    return InvalidInput(error.detail, params)


def parse_address(text: str) -> Address:
    """A Dutch address in free text: a postcode and a house number [+ toevoeging], in either order,
    e.g. `Oosterstraat 12A, 9401 AB Assen` or `9401AB 12`."""
    postcode = POSTCODE.search(text)
    if postcode is None:
        raise InvalidInput.field("address_string", "must hold a Dutch postcode, e.g. 'Oosterstraat 12, 9401 AB Assen'", code="pattern")
    rest = text[: postcode.start()] + " " + text[postcode.end() :]
    number = HOUSE_NUMBER.search(rest)
    if number is None:
        raise InvalidInput.field("address_string", "must hold a house number, e.g. 'Oosterstraat 12, 9401 AB Assen'", code="pattern")
    return Address(postcode.group(1) + postcode.group(2).upper(), int(number.group(1)), number.group(2))


def _float(params: Mapping[str, str], name: str) -> float:
    try:
        return float(params[name])
    except ValueError as exc:
        raise InvalidInput.field(name, "a decimal number (WGS84 degrees)", code="number") from exc


def derived_reference(params: Mapping[str, str]) -> str:
    """A reference from what the request reports, so the same report is recognised when sent again."""
    parts = [params.get(name, "").strip() for name in ("service_code", "lat", "long", "address_string", "description")]
    return "open311-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def new_signal(params: Mapping[str, str]) -> NewSignal:
    """The signal an Open311 `POST requests` asks for; 400 naming the Open311 parameter otherwise."""
    unknown = sorted(set(params) - SPEC_PARAMETERS - NOT_STORED)
    if unknown:
        raise InvalidInput(
            "unknown parameters; see invalidParams",
            [InvalidParam(name, "not a GeoReport v2 parameter this service takes", "unknown") for name in unknown],
        )
    code = params.get("service_code", "").strip()
    try:
        category = SignalCategory(code)
    except ValueError as exc:
        raise InvalidInput.field("service_code", "one of the service codes of services.json", code="enum") from exc
    point = None
    if "lat" in params or "long" in params:
        if not ("lat" in params and "long" in params):
            raise InvalidInput.field("lat/long", "send both lat and long", code="required")
        point = GeoPoint(_float(params, "lat"), _float(params, "long"))
    address_text = params.get("address_string", "").strip()
    address = parse_address(address_text) if address_text else None
    if point is None and address is None:
        raise InvalidInput.field("address_string", "send lat and long, or an address_string", code="required")
    description = params.get("description", "").strip()
    if not description:
        raise InvalidInput.field("description", "describe the problem", code="required")
    reference = params.get(REFERENCE_ATTRIBUTE, "").strip() or derived_reference(params)
    return NewSignal(
        wijk_id=None,
        category=category,
        description=description,
        urgency=Priority.normaal,
        address=address,
        point=point,
        external_reference=reference,
    )


# --- reading back --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """GET requests.json: own requests by id, service, status (open/closed) and period."""

    ids: tuple[UUID, ...] = ()
    categories: tuple[SignalCategory, ...] = ()
    statuses: tuple[SignalStatus, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def is_open(status: SignalStatus) -> bool:
    """Open311's two states: a signal is `closed` once it is handled or rejected."""
    return not SIGNAL_TRANSITIONS.is_terminal(status)


def _list(params: Mapping[str, str], name: str) -> list[str]:
    return [v.strip() for v in params.get(name, "").split(",") if v.strip()]


def _instant(params: Mapping[str, str], name: str) -> datetime | None:
    if not params.get(name):
        return None
    try:
        value = datetime.fromisoformat(params[name].strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput.field(name, "a W3C date-time, e.g. 2026-03-01T00:00:00Z", code="datetime") from exc
    if value.tzinfo is None:
        raise InvalidInput.field(name, "give a time zone, e.g. 2026-03-01T00:00:00+01:00", code="datetime")
    return value


def request_query(params: Mapping[str, str], now: datetime) -> RequestQuery:
    """The query of GET requests.json; without ids or dates, the last 90 days (as the spec suggests)."""
    try:
        ids = tuple(UUID(v) for v in _list(params, "service_request_id"))
    except ValueError as exc:
        raise InvalidInput.field("service_request_id", "comma-separated service_request_ids", code="uuid") from exc
    if len(ids) > MAX_IDS:
        raise InvalidInput.field("service_request_id", f"at most {MAX_IDS} ids", code="too_long")
    try:
        categories = tuple(SignalCategory(v) for v in _list(params, "service_code"))
    except ValueError as exc:
        raise InvalidInput.field("service_code", "service codes of services.json", code="enum") from exc
    wanted = set(_list(params, "status"))
    if not wanted <= {"open", "closed"}:
        raise InvalidInput.field("status", "open, closed or both", code="enum")
    statuses = tuple(s for s in SignalStatus if not wanted or ("open" if is_open(s) else "closed") in wanted)
    start, end = _instant(params, "start_date"), _instant(params, "end_date")
    if start and end and end < start:
        raise InvalidInput.field("end_date", "must not lie before start_date", code="period")
    if not ids and start is None and end is None:
        start = now - DEFAULT_WINDOW
    return RequestQuery(ids, categories, statuses, start, end)


def _system_reader(scope: Scope) -> None:
    if scope.role is not Role.housing_system:
        raise Forbidden("Open311 service requests are read by housing corporations' systems")


async def find_requests(uow: UnitOfWork, scope: Scope, query: RequestQuery) -> list[Signal]:
    """The caller's organisation's signals that match, newest first, at most MAX_RESULTS."""
    _system_reader(scope)
    return await uow.signals.of_organisation(scope.organisation_id, query, MAX_RESULTS)


async def get_request(uow: UnitOfWork, scope: Scope, signal_id: UUID) -> Signal:
    """One of the caller's organisation's signals."""
    _system_reader(scope)
    signal = await uow.signals.get(signal_id)
    if signal is None:
        raise NotFound("no such service request")
    enforce(can_read_signal(scope, signal.reach), "no such service request")
    return signal
