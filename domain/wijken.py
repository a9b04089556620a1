"""Wijken: CBS neighbourhood codes, buurten, boundaries and problem indicators, and their use cases."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from domain.errors import Conflict, InvalidInput, InvalidParam, NotFound
from domain.geo import Address, GeoPoint, point_in_boundary
from domain.identity import MUNICIPALITY_CODE
from domain.pagination import Page, PageRequest
from domain.ports import UnitOfWork
from domain.scope import Scope, can_manage_wijk, can_read_wijk, enforce

# CBS codes: WK + municipality number (4 digits) + wijk number (2); a buurt adds 2 more digits.
WIJK_CODE = re.compile(r"^WK\d{6}$")
BUURT_CODE = re.compile(r"^BU\d{8}$")
MAX_BUURTEN = 100
MAX_BOUNDARY_POSITIONS = 20_000
MAX_POSTCODE_RANGES = 200
# A postcode (1234AB) or, for a whole PC4 area, its four digits (1234).
POSTCODE_OR_AREA = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})?$")
NOT_FOUND = "wijk not found"


class ProblemIndicator(StrEnum):
    """The problems that make a wijk a koppel's working area (DESIGN.md §4)."""

    herstructurering = "herstructurering"
    zware_sociale_problematiek = "zware_sociale_problematiek"
    criminaliteit = "criminaliteit"
    sociale_onrust = "sociale_onrust"
    wantrouwen = "wantrouwen"
    moeilijke_toegankelijkheid = "moeilijke_toegankelijkheid"
    vijandigheid_overheid = "vijandigheid_overheid"


@dataclass(frozen=True, order=True)
class PostcodeRange:
    """Postcodes from `from_postcode` up to and including `to_postcode`, both as 1234AB: Dutch postcodes
    order as text, so 9401AA–9402ZZ holds every postcode of areas 9401 and 9402."""

    from_postcode: str
    to_postcode: str

    def covers(self, postcode: str) -> bool:
        """True when the (normalised) postcode lies in the range."""
        return self.from_postcode <= postcode <= self.to_postcode


@dataclass(frozen=True)
class Wijk:
    id: UUID
    code: str
    name: str
    municipality_code: str
    buurten: tuple[str, ...]
    boundary: dict[str, Any] | None
    indicators: frozenset[ProblemIndicator]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    # Where the wijk lies by postcode: intake maps an address to a wijk with these (or a point with the boundary).
    postcode_ranges: tuple[PostcodeRange, ...] = ()

    def covers_postcode(self, postcode: str) -> bool:
        """True when one of the wijk's postcode ranges holds the (normalised) postcode."""
        return any(r.covers(postcode) for r in self.postcode_ranges)

    def covers_point(self, point: GeoPoint) -> bool:
        """True when the wijk has a boundary and the point lies inside it."""
        return bool(self.boundary) and point_in_boundary(point, self.boundary or {})


@dataclass(frozen=True)
class NewWijk:
    code: str
    name: str
    municipality_code: str
    buurten: Sequence[str] = ()
    boundary: Mapping[str, Any] | None = None
    indicators: frozenset[ProblemIndicator] = field(default_factory=frozenset)
    postcode_ranges: Sequence[Any] = ()  # PostcodeRange or mappings with from_postcode / to_postcode


@dataclass(frozen=True)
class WijkFilter:
    municipality_code: str | None = None
    indicator: ProblemIndicator | None = None
    active: bool | None = None


# --- rules -------------------------------------------------------------------------------------


def check_wijk_code(code: str) -> None:
    """A CBS wijk code is 'WK' followed by 6 digits, e.g. WK010601."""
    if not WIJK_CODE.match(code):
        raise InvalidInput.field("code", "must be 'WK' followed by 6 digits, e.g. WK010601", code="pattern")


def check_wijk_municipality(code: str, municipality_code: str) -> None:
    """The municipality code is valid and matches the wijk code (WK0106xx lies in GM0106)."""
    if not MUNICIPALITY_CODE.match(municipality_code):
        raise InvalidInput.field(
            "municipalityCode", "must be 'GM' followed by 4 digits, e.g. GM0106", code="pattern"
        )
    if code[2:6] != municipality_code[2:6]:
        raise InvalidInput.field(
            "municipalityCode",
            f"wijk {code} lies in municipality GM{code[2:6]}, not {municipality_code}",
            code="mismatch",
        )


def check_buurten(buurten: Sequence[str], wijk_code: str) -> tuple[str, ...]:
    """Each buurt is 'BU' + 8 digits and belongs to this wijk (BU + the wijk's 6 digits + 2)."""
    if len(buurten) > MAX_BUURTEN:
        raise InvalidInput.field("buurten", f"at most {MAX_BUURTEN} buurten", code="too_long")
    problems = []
    for i, buurt in enumerate(buurten):
        if not BUURT_CODE.match(buurt):
            problems.append(InvalidParam(f"buurten.{i}", "must be 'BU' followed by 8 digits", "pattern"))
        elif buurt[2:8] != wijk_code[2:8]:
            problems.append(
                InvalidParam(f"buurten.{i}", f"buurt {buurt} does not belong to wijk {wijk_code}", "mismatch")
            )
    if problems:
        raise InvalidInput("invalid buurt codes; see invalidParams", problems)
    if len(set(buurten)) != len(buurten):
        raise InvalidInput.field("buurten", "a buurt is listed twice", code="duplicate")
    return tuple(sorted(buurten))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_ring(ring: Any, path: str) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise InvalidInput.field(path, "a linear ring needs at least 4 positions", code="geojson_ring")
    for i, position in enumerate(ring):
        where = f"{path}.{i}"
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(map(_is_number, position))
        ):
            raise InvalidInput.field(where, "a position is [longitude, latitude]", code="geojson_position")
        longitude, latitude = position[0], position[1]
        if not -180 <= longitude <= 180 or not -90 <= latitude <= 90:
            raise InvalidInput.field(
                where, "longitude must lie in [-180, 180] and latitude in [-90, 90]", code="geojson_range"
            )
    if ring[0][:2] != ring[-1][:2]:
        raise InvalidInput.field(path, "a linear ring must end where it starts", code="geojson_not_closed")
    return len(ring)


def _check_polygon(rings: Any, path: str) -> int:
    if not isinstance(rings, list) or not rings:
        raise InvalidInput.field(
            path, "a polygon is a non-empty list of linear rings", code="geojson_polygon"
        )
    return sum(_check_ring(ring, f"{path}.{i}") for i, ring in enumerate(rings))


def check_boundary(boundary: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A GeoJSON (RFC 7946) Polygon or MultiPolygon in WGS84 longitude/latitude, rings closed."""
    if boundary is None:
        return None
    kind = boundary.get("type")
    coordinates = boundary.get("coordinates")
    path = "boundary.coordinates"
    if kind == "Polygon":
        positions = _check_polygon(coordinates, path)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise InvalidInput.field(
                path, "a MultiPolygon is a non-empty list of polygons", code="geojson_polygon"
            )
        positions = sum(_check_polygon(polygon, f"{path}.{i}") for i, polygon in enumerate(coordinates))
    else:
        raise InvalidInput.field("boundary.type", "must be 'Polygon' or 'MultiPolygon'", code="geojson_type")
    if positions > MAX_BOUNDARY_POSITIONS:
        raise InvalidInput.field(path, f"at most {MAX_BOUNDARY_POSITIONS} positions", code="too_long")
    return {"type": kind, "coordinates": coordinates}


def _postcode_bound(value: Any, where: str, *, upper: bool) -> str:
    match = POSTCODE_OR_AREA.match(str(value).strip().upper()) if isinstance(value, str) else None
    if not match:
        raise InvalidInput.field(where, "a postcode such as 9401AB, or a postcode area such as 9401", code="pattern")
    return match.group(1) + (match.group(2) or ("ZZ" if upper else "AA"))


def check_postcode_ranges(ranges: Sequence[Any]) -> tuple[PostcodeRange, ...]:
    """Each range runs from a postcode (or the start of an area: 9401 → 9401AA) to a postcode (or the
    end of an area: 9402 → 9402ZZ), not backwards; sorted, without duplicates."""
    if len(ranges) > MAX_POSTCODE_RANGES:
        raise InvalidInput.field("postcodeRanges", f"at most {MAX_POSTCODE_RANGES} ranges", code="too_long")
    checked = set()
    for i, given in enumerate(ranges):
        first, last = (
            (given.from_postcode, given.to_postcode)
            if isinstance(given, PostcodeRange)
            else (given.get("from_postcode"), given.get("to_postcode"))
        )
        lower = _postcode_bound(first, f"postcodeRanges.{i}.fromPostcode", upper=False)
        upper = _postcode_bound(last, f"postcodeRanges.{i}.toPostcode", upper=True)
        if upper < lower:
            raise InvalidInput.field(f"postcodeRanges.{i}", "the range runs backwards", code="range")
        checked.add(PostcodeRange(lower, upper))
    return tuple(sorted(checked))


def _checked(wijk: Wijk) -> Wijk:
    check_wijk_code(wijk.code)
    check_wijk_municipality(wijk.code, wijk.municipality_code)
    return replace(
        wijk,
        buurten=check_buurten(wijk.buurten, wijk.code),
        boundary=check_boundary(wijk.boundary),
        postcode_ranges=check_postcode_ranges(wijk.postcode_ranges),
    )


def locate_wijk(address: Address | None, point: GeoPoint | None, wijken: Sequence[Wijk]) -> Wijk:
    """The one wijk among `wijken` (the ones the caller serves) where a checked location lies: by the
    point inside a boundary, else by the address's postcode in a wijk's postcode ranges, else by both
    together. 400 naming the location field when it lies in none of them, or in several."""
    by_point = [w for w in wijken if point is not None and w.covers_point(point)]
    by_address = [w for w in wijken if address is not None and w.covers_postcode(address.postcode)]
    for found in (by_point, by_address, [w for w in by_point if w in by_address]):
        if len(found) == 1:
            return found[0]
    field_name = "location.address.postcode" if address is not None else "location.point"
    if by_point or by_address:
        raise InvalidInput.field(
            field_name, "lies in more than one wijk you serve; send wijkId or a point", code="ambiguous_wijk"
        )
    raise InvalidInput.field(field_name, "does not lie in a wijk your organisation serves", code="outside_service_area")


# --- use cases ---------------------------------------------------------------------------------


async def create_wijk(uow: UnitOfWork, scope: Scope, data: NewWijk, now: datetime) -> Wijk:
    """Register a wijk by its CBS code (admin only); the code is unique."""
    enforce(can_manage_wijk(scope, None), NOT_FOUND)
    wijk = _checked(
        Wijk(
            id=uuid4(),
            code=data.code,
            name=data.name.strip(),
            municipality_code=data.municipality_code,
            buurten=tuple(data.buurten),
            boundary=dict(data.boundary) if data.boundary is not None else None,
            indicators=frozenset(data.indicators),
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
            postcode_ranges=tuple(data.postcode_ranges),
        )
    )
    if await uow.wijken.get_by_code(wijk.code) is not None:
        raise Conflict(f"a wijk with code {wijk.code} already exists")
    await uow.wijken.add(wijk)
    await uow.commit()
    return wijk


async def get_wijk(uow: UnitOfWork, scope: Scope, wijk_id: UUID) -> Wijk:
    """Read one wijk in scope; out of scope it does not exist."""
    wijk = await uow.wijken.get(wijk_id)
    if wijk is None:
        raise NotFound(NOT_FOUND)
    enforce(can_read_wijk(scope, wijk.id), NOT_FOUND)
    return wijk


async def list_wijken(uow: UnitOfWork, scope: Scope, page: PageRequest, filters: WijkFilter) -> Page[Wijk]:
    """The wijken in scope, by CBS code, filtered by municipality, indicator and active flag."""
    return await uow.wijken.list(scope, page, filters)


async def update_wijk(
    uow: UnitOfWork,
    scope: Scope,
    wijk_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> Wijk:
    """Change a wijk (admin only); the result is validated as a whole, a new code must stay unique."""
    current = await get_wijk(uow, scope, wijk_id)
    enforce(can_manage_wijk(scope, current.id), NOT_FOUND)
    merged = dict(changes)
    if "buurten" in merged:
        merged["buurten"] = tuple(merged["buurten"] or ())
    if "indicators" in merged:
        merged["indicators"] = frozenset(merged["indicators"] or ())
    if "postcode_ranges" in merged:
        merged["postcode_ranges"] = tuple(merged["postcode_ranges"] or ())
    if "name" in merged:
        merged["name"] = merged["name"].strip()
    candidate = _checked(replace(current, **merged))
    if candidate.code != current.code and await uow.wijken.get_by_code(candidate.code) is not None:
        raise Conflict(f"a wijk with code {candidate.code} already exists")
    checked = {name: getattr(candidate, name) for name in changes}
    updated = await uow.wijken.update(wijk_id, expected_version, checked, now)
    await uow.commit()
    return updated


async def deactivate_wijk(
    uow: UnitOfWork, scope: Scope, wijk_id: UUID, expected_version: int, now: datetime
) -> None:
    """Deactivate a wijk; it stays for history (koppels, offers and later casework refer to it)."""
    await update_wijk(uow, scope, wijk_id, expected_version, {"active": False}, now)
