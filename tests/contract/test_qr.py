"""The QR code item's rules both sides apply: which addresses make a code, where the code and its
caption go in a region, and how many pixels a module gets there."""

import pytest

from signage_contract import qr

PORTAL = "https://gopy.quangngai.gov.vn/"


@pytest.mark.parametrize(("url", "fault"), [
    (PORTAL, None),
    ("http://dichvucong.gov.vn/p/home/dvc-trang-chu.html", None),
    ("HTTPS://GOPY.QUANGNGAI.GOV.VN", None),
    ("ftp://gopy.quangngai.gov.vn/", "not_http"),
    ("gopy.quangngai.gov.vn", "not_http"),
    ("javascript:alert(1)", "not_http"),
    ("https://", "not_http"),
    ("https://gopy quangngai.gov.vn/", "not_http"),
    ("https://a.vn/" + "x" * 400, "too_long"),
])
def test_only_an_http_address_a_small_version_holds_makes_a_code(url: str, fault: str | None) -> None:
    assert qr.url_fault(url) == fault


def test_the_longest_address_allowed_is_the_one_the_largest_version_holds() -> None:
    longest = qr.max_url_chars()
    assert qr.version_of("https://" + "a" * (longest - 8)) == qr.MAX_VERSION
    assert qr.url_fault("https://" + "a" * (longest - 7)) == "too_long"


def test_the_caption_goes_beside_the_code_in_a_wide_region_and_below_it_otherwise() -> None:
    assert qr.layout(320, 180, captioned=True) == (qr.Box(0, 0, 180, 180), qr.Box(180, 0, 140, 180))
    code, caption = qr.layout(200, 300, captioned=True)
    assert caption == qr.Box(0, 234, 200, 66) and code == qr.Box(0, 0, 200, 234)
    assert qr.layout(320, 180, captioned=False) == (qr.Box(0, 0, 320, 180), None)


def test_a_module_gets_the_whole_pixels_the_shorter_side_of_its_box_allows() -> None:
    side = qr.side_modules(PORTAL)  # version 3 (29 modules) and 4 quiet modules on each side
    assert side == 37
    assert qr.module_px(PORTAL, 320, 180, captioned=True) == 180 // 37 == 4
    assert qr.module_px(PORTAL, 320, 100, captioned=True) == 2 < qr.MIN_MODULE_PX
    assert qr.needed_px(PORTAL) == 37 * qr.MIN_MODULE_PX
