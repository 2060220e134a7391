import pytest

from signage_server.emergency.sources.cap import CapArea, CapCircle, geocode_units, matches_area, parse_cap
from signage_server.emergency.sources.cap.geo import distance_km, point_in_circle, point_in_polygon
from signage_server.emergency.sources.cap.parse import parse_polygon
from tests.support.cap_xml import alert_xml

QUANG_NGAI_RING = parse_polygon("14.90,108.60 14.90,109.00 15.30,109.00 15.30,108.60 14.90,108.60")
# An L-shaped (concave) area: the square without its north-east quarter.
L_RING = parse_polygon(
    "14.90,108.60 14.90,109.00 15.10,109.00 15.10,108.80 15.30,108.80 15.30,108.60 14.90,108.60"
)

QUANG_NGAI_CITY = (15.1205, 108.7923)
LY_SON = (15.3800, 109.1200)
DA_NANG = (16.0544, 108.2022)
HA_NOI = (21.0285, 105.8542)


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        (QUANG_NGAI_CITY, True),
        ((14.95, 108.65), True),  # near the south-west corner
        ((15.29, 108.99), True),  # near the north-east corner
        (DA_NANG, False),
        (HA_NOI, False),
        ((15.12, 109.05), False),  # just east, at sea
        ((14.85, 108.80), False),  # just south
    ],
)
def test_point_in_quang_ngai_polygon(point, inside):
    lat, lon = point
    assert point_in_polygon(lat, lon, QUANG_NGAI_RING) is inside


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((15.00, 108.90), True),  # southern bar of the L
        ((15.20, 108.70), True),  # western bar of the L
        ((15.20, 108.90), False),  # the missing north-east quarter
    ],
)
def test_point_in_concave_polygon(point, inside):
    lat, lon = point
    assert point_in_polygon(lat, lon, L_RING) is inside


def test_one_degree_of_latitude_is_111_km():
    assert distance_km(15.0, 108.8, 16.0, 108.8) == pytest.approx(111.195, abs=0.001)


def test_distance_is_symmetric_and_zero_at_the_same_point():
    assert distance_km(*QUANG_NGAI_CITY, *LY_SON) == pytest.approx(distance_km(*LY_SON, *QUANG_NGAI_CITY))
    assert distance_km(*LY_SON, *LY_SON) == 0.0


@pytest.mark.parametrize(
    ("radius_km", "inside"),
    [(30.0, False), (50.0, True)],  # Quảng Ngãi city is about 45 km from Lý Sơn
)
def test_point_in_circle_around_ly_son(radius_km, inside):
    assert point_in_circle(*QUANG_NGAI_CITY, CapCircle(*LY_SON, radius_km)) is inside


def test_zero_radius_circle_holds_only_its_centre():
    circle = CapCircle(*LY_SON, 0.0)
    assert point_in_circle(*LY_SON, circle)
    assert not point_in_circle(15.381, 109.12, circle)


@pytest.mark.parametrize(
    ("point", "matches"),
    [
        (QUANG_NGAI_CITY, True),  # in the polygon
        ((15.38, 109.15), True),  # on Lý Sơn, in the circle only
        (DA_NANG, False),
    ],
)
def test_matches_area_polygon_or_circle(point, matches):
    area = CapArea("Quảng Ngãi", polygons=(QUANG_NGAI_RING,), circles=(CapCircle(*LY_SON, 10.0),))
    lat, lon = point
    assert matches_area(lat, lon, area) is matches


def test_area_with_only_geocodes_matches_no_point():
    area = CapArea("Phường Cẩm Thành", geocodes=(("UNIT_CODE", "21025"),))
    assert not matches_area(*QUANG_NGAI_CITY, area)


def test_parsed_storm_area_matches_quang_ngai_not_da_nang():
    area = parse_cap(alert_xml()).infos[1].areas[0]
    assert matches_area(*QUANG_NGAI_CITY, area)
    assert not matches_area(*DA_NANG, area)


@pytest.mark.parametrize(
    ("geocodes", "units"),
    [
        ((("UNIT_CODE", "21025"), ("MA_DVHC", "21211")), ["21025", "21211"]),
        ((("unit_code", "51"), ("Ma_DvHc", "21025")), ["51", "21025"]),
        ((("SAME", "006113"), ("EMMA_ID", "VN001"), ("UNIT_CODE", "21025")), ["21025"]),
        ((("UNIT_CODE", "21025"), ("MA_DVHC", "21025")), ["21025"]),
        ((("UNIT_CODE", ""),), []),
        ((), []),
    ],
)
def test_geocode_units(geocodes, units):
    assert geocode_units(CapArea("vùng", geocodes=geocodes)) == units
