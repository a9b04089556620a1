"""Where something is: a Dutch address (postcode + huisnummer) and/or a WGS84 point, and whether a
point lies inside a wijk's GeoJSON boundary (signals now; the housing intake maps points to wijken).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput

POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")
HOUSE_NUMBER_ADDITION = re.compile(r"^[A-Za-z0-9]{1,4}$")
MAX_HOUSE_NUMBER = 99_999

# The European Netherlands with its territorial waters, generously (WGS84 degrees).
NL_LATITUDE = (50.7, 53.7)
NL_LONGITUDE = (3.2, 7.3)


@dataclass(frozen=True)
class Address:
    """A Dutch address as postcode (normalised to `1234AB`) and house number [+ toevoeging]."""

    postcode: str
    house_number: int
    house_number_addition: str | None = None


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float


def check_address(address: Address, field: str = "location.address") -> Address:
    """A valid Dutch postcode and house number; the postcode comes back as `1234AB`."""
    match = POSTCODE.match(address.postcode.strip().upper())
    if not match:
        raise InvalidInput.field(f"{field}.postcode", "must be a Dutch postcode such as 9401AB", code="pattern")
    if not 1 <= address.house_number <= MAX_HOUSE_NUMBER:
        raise InvalidInput.field(
            f"{field}.houseNumber", f"must lie between 1 and {MAX_HOUSE_NUMBER}", code="range"
        )
    addition = address.house_number_addition.strip() if address.house_number_addition else None
    if addition and not HOUSE_NUMBER_ADDITION.match(addition):
        raise InvalidInput.field(
            f"{field}.houseNumberAddition", "at most 4 letters or digits", code="pattern"
        )
    return Address(match.group(1) + match.group(2), address.house_number, addition or None)


def check_point_in_netherlands(point: GeoPoint, field: str = "location.point") -> GeoPoint:
    """The point lies in the Netherlands (a bounding box: precise enough to catch swapped or foreign
    coordinates; the wijk boundary, when known, is the precise check)."""
    if not (NL_LATITUDE[0] <= point.latitude <= NL_LATITUDE[1]) or not (
        NL_LONGITUDE[0] <= point.longitude <= NL_LONGITUDE[1]
    ):
        raise InvalidInput.field(
            field,
            "must lie in the Netherlands (latitude 50.7–53.7, longitude 3.2–7.3); are latitude and longitude swapped?",
            code="outside_netherlands",
        )
    return point


def _in_ring(longitude: float, latitude: float, ring: Sequence[Sequence[float]]) -> bool:
    # Ray casting: count the ring's edges crossed by a ray from the point towards the east.
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < crossing:
                inside = not inside
    return inside


def _in_polygon(longitude: float, latitude: float, rings: Sequence[Any]) -> bool:
    # The first ring is the outline, the others are holes.
    if not rings or not _in_ring(longitude, latitude, rings[0]):
        return False
    return not any(_in_ring(longitude, latitude, hole) for hole in rings[1:])


def point_in_boundary(point: GeoPoint, boundary: Mapping[str, Any]) -> bool:
    """True when the point lies inside a GeoJSON Polygon or MultiPolygon ([longitude, latitude])."""
    coordinates = boundary.get("coordinates") or []
    if boundary.get("type") == "Polygon":
        return _in_polygon(point.longitude, point.latitude, coordinates)
    if boundary.get("type") == "MultiPolygon":
        return any(_in_polygon(point.longitude, point.latitude, polygon) for polygon in coordinates)
    return False
