"""Which boards and units a CAP area covers (pure geometry on WGS 84 latitude/longitude).

Polygons are tested by ray casting on plain lat/lon, which is exact enough for commune- and
province-sized areas away from the poles and the antimeridian (Vietnam spans 102-110 deg E,
8-24 deg N). A point exactly on an edge may fall either way. Circles use the haversine distance on a
sphere of the Earth's mean radius.

Geocodes: a CAP ``<geocode>`` names its coding system in ``valueName``. Vietnamese administrative
unit codes (Decision 19/2025/QĐ-TTg: two digits for a province, five for a commune) are accepted
under ``UNIT_CODE`` or ``MA_DVHC`` (mã đơn vị hành chính) unless the sender is configured with
names of its own (``CapSender.geocode_names``), compared case-insensitively; other systems (SAME,
FIPS6, EMMA_ID, ...) are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from signage_server.emergency.sources.cap.model import CapArea, CapCircle, Ring

EARTH_MEAN_RADIUS_KM = 6371.0088
DEFAULT_GEOCODE_NAMES: frozenset[str] = frozenset({"UNIT_CODE", "MA_DVHC"})


def point_in_polygon(lat: float, lon: float, ring: Ring) -> bool:
    """Ray casting: count the ring's edges that a ray from the point towards +lon crosses."""
    inside = False
    for (lat_a, lon_a), (lat_b, lon_b) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (lat_a > lat) == (lat_b > lat):
            continue  # the edge does not straddle the point's latitude
        crossing_lon = lon_a + (lat - lat_a) * (lon_b - lon_a) / (lat_b - lat_a)
        if lon < crossing_lon:
            inside = not inside
    return inside


def distance_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi_a, phi_b = math.radians(lat_a), math.radians(lat_b)
    d_phi = phi_b - phi_a
    d_lambda = math.radians(lon_b - lon_a)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def point_in_circle(lat: float, lon: float, circle: CapCircle) -> bool:
    return distance_km(lat, lon, circle.lat, circle.lon) <= circle.radius_km


def matches_area(lat: float, lon: float, area: CapArea) -> bool:
    """True when the point lies in any polygon or circle of the area (geocodes are not geometry)."""
    return any(point_in_polygon(lat, lon, ring) for ring in area.polygons) or any(
        point_in_circle(lat, lon, circle) for circle in area.circles
    )


def geocode_units(area: CapArea, names: Iterable[str] = DEFAULT_GEOCODE_NAMES) -> list[str]:
    """Administrative unit codes the area names under the valueNames ``names``, in order, without
    repeats."""
    wanted = {name.casefold() for name in names}
    codes: list[str] = []
    for name, value in area.geocodes:
        if name.casefold() in wanted and value and value not in codes:
            codes.append(value)
    return codes
