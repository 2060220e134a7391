"""CAP 1.2 (OASIS Common Alerting Protocol) in: safe parsing, schema validation, mapping, geometry.

Pure: no database, no HTTP. ``intake.py`` (the source's service) turns a parsed alert into
overrides through the lifecycle in ``signage_server.emergency.overrides``.
"""

from signage_server.emergency.sources.cap.geo import (
    DEFAULT_GEOCODE_NAMES,
    geocode_units,
    matches_area,
    point_in_circle,
    point_in_polygon,
)
from signage_server.emergency.sources.cap.mapping import (
    OverrideDraft,
    info_risk_level,
    override_fields,
    risk_level,
)
from signage_server.emergency.sources.cap.model import (
    CAP_NAMESPACE,
    CapAlert,
    CapArea,
    CapCircle,
    CapExpired,
    CapInfo,
    CapReference,
    CapRejected,
)
from signage_server.emergency.sources.cap.parse import MAX_CAP_BYTES, parse_cap

__all__ = [
    "CAP_NAMESPACE",
    "DEFAULT_GEOCODE_NAMES",
    "MAX_CAP_BYTES",
    "CapAlert",
    "CapArea",
    "CapCircle",
    "CapExpired",
    "CapInfo",
    "CapReference",
    "CapRejected",
    "OverrideDraft",
    "geocode_units",
    "info_risk_level",
    "matches_area",
    "override_fields",
    "parse_cap",
    "point_in_circle",
    "point_in_polygon",
    "risk_level",
]
