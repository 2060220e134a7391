"""Built-in layout templates and the checks every layout (built-in or custom) must pass."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from signage_contract import Layout
from signage_server.content.layouts import (
    REQUIRED_LAYOUT_IDS,
    LayoutTemplateError,
    default_layouts_dir,
    load_builtin_layouts,
    validate_layout,
)
from tests.support.paths import REPOSITORY

REPO_LAYOUTS = REPOSITORY / "layouts"


def region(rid: str, role: str, x: float, y: float, w: float, h: float, z: int = 0) -> dict:
    return {"id": rid, "role": role, "x": x, "y": y, "w": w, "h": h, "z": z}


def layout_doc(lid: str, *regions: dict) -> dict:
    return {"id": lid, "name": "Bố cục thử", "regions": list(regions or [region("main", "main", 0, 0, 1, 1)])}


def write(directory: Path, filename: str, doc: dict | str) -> Path:
    path = directory / filename
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --- the shipped templates ------------------------------------------------------------------------


def test_every_builtin_template_loads():
    layouts = load_builtin_layouts(default_layouts_dir())
    assert {layout.id for layout in layouts} >= REQUIRED_LAYOUT_IDS


def test_default_dir_is_the_repository_layouts_directory():
    # In a checkout the package's layouts/ is a symlink to the repository's layouts/.
    assert default_layouts_dir() == REPO_LAYOUTS


def test_builtin_templates_are_sorted_by_id():
    ids = [layout.id for layout in load_builtin_layouts(default_layouts_dir())]
    assert ids == sorted(ids)


def test_builtin_names_are_nfc():
    for layout in load_builtin_layouts(default_layouts_dir()):
        assert layout.name == unicodedata.normalize("NFC", layout.name)


# --- broken template files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("bad.json", '{"id": "bad", "regions": [', ["bad.json", "invalid JSON", "line 1"]),
        (
            "edge.json",
            layout_doc("edge", region("main", "main", 0.5, 0, 0.6, 1)),
            ["edge.json", "'main'", "past the screen"],
        ),
        (
            "nomain.json",
            layout_doc("nomain", region("t", "ticker", 0, 0, 1, 1)),
            ["nomain.json", "no region with role 'main'", "ticker"],
        ),
        (
            "overlap.json",
            layout_doc(
                "overlap", region("main", "main", 0, 0, 1, 0.9), region("ticker", "ticker", 0, 0.8, 1, 0.2)
            ),
            ["overlap.json", "'main' and 'ticker' overlap", "z level (0)"],
        ),
        (
            "other.json",
            layout_doc("fullscreen"),
            ["other.json", "'fullscreen'", "does not match the file name"],
        ),
        (
            "dupregion.json",
            layout_doc(
                "dupregion", region("main", "main", 0, 0, 0.5, 1), region("main", "side", 0.5, 0, 0.5, 1)
            ),
            ["dupregion.json", "duplicate region ids"],
        ),
        ("noregions.json", {"id": "noregions", "name": "x", "regions": []}, ["noregions.json", "regions"]),
        ("badrole.json", layout_doc("badrole", region("m", "banner", 0, 0, 1, 1)), ["badrole.json", "role"]),
        ("array.json", "[]", ["array.json"]),
        (
            "variantids.json",
            layout_doc("variantids", region("main", "main", 0, 0, 1, 1))
            | {"variants": {"portrait": [region("body", "main", 0, 0, 1, 1)]}},
            ["variantids.json", "portrait variant must place the same regions"],
        ),
        (
            "variantoverlap.json",
            layout_doc("variantoverlap", region("main", "main", 0, 0, 0.5, 1),
                       region("side", "side", 0.5, 0, 0.5, 1))
            | {"variants": {"portrait": [region("main", "main", 0, 0, 1, 0.6),
                                         region("side", "side", 0, 0.5, 1, 0.5)]}},
            ["variantoverlap.json", "(portrait)", "'main' and 'side' overlap"],
        ),
    ],
)
def test_broken_template_is_reported_with_its_file_name(tmp_path, filename, content, expected):
    write(tmp_path, filename, content)
    with pytest.raises(LayoutTemplateError) as info:
        load_builtin_layouts(tmp_path)
    for fragment in expected:
        assert fragment in str(info.value)


def test_duplicate_id_across_files_names_both_files(tmp_path):
    write(tmp_path, "a.json", layout_doc("a"))
    write(tmp_path, "b.json", layout_doc("a"))
    with pytest.raises(LayoutTemplateError, match=r"b\.json: layout id 'a' is already used by a\.json"):
        load_builtin_layouts(tmp_path)


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(LayoutTemplateError, match="no layout templates"):
        load_builtin_layouts(tmp_path)


def test_non_json_files_are_ignored(tmp_path):
    write(tmp_path, "fullscreen.json", layout_doc("fullscreen"))
    write(tmp_path, "README.md", "# notes")
    assert [layout.id for layout in load_builtin_layouts(tmp_path)] == ["fullscreen"]


def test_broken_file_among_good_ones_is_named(tmp_path):
    write(tmp_path, "fullscreen.json", layout_doc("fullscreen"))
    write(tmp_path, "zz.json", '{"id": "zz",}')
    with pytest.raises(LayoutTemplateError, match=r"^zz\.json: invalid JSON"):
        load_builtin_layouts(tmp_path)


# --- validate_layout (custom layouts from the API) ------------------------------------------------


def make(*regions: dict) -> Layout:
    return Layout.model_validate(layout_doc("custom", *regions))


@pytest.mark.parametrize(
    "regions",
    [
        # touching edges are not an overlap, even where floats add up to 0.9999999999999999
        [region("main", "main", 0, 0, 0.78, 0.88), region("clock", "clock", 0.78, 0, 0.22, 0.88)],
        [
            region("main", "main", 0, 0, 1, 0.7),
            region("side", "side", 0, 0.7, 1, 0.1),
            region("ticker", "ticker", 0, 0.8, 1, 0.2),
        ],
        [region("main", "main", 0.1, 0.1, 0.3, 0.3), region("side", "side", 0.4, 0.1, 0.2, 0.3)],
        # overlap across z levels is allowed: a logo over the main region
        [region("main", "main", 0, 0, 1, 1, z=0), region("logo", "logo", 0.85, 0.02, 0.13, 0.1, z=2)],
    ],
)
def test_valid_custom_layout_passes(regions):
    validate_layout(make(*regions))


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([region("clock", "clock", 0, 0, 1, 1)], "no region with role 'main'"),
        (
            [region("main", "main", 0, 0, 0.6, 1), region("side", "side", 0.5, 0, 0.5, 1)],
            "'main' and 'side' overlap",
        ),
        (
            [region("main", "main", 0, 0, 1, 1, z=1), region("logo", "logo", 0.4, 0.4, 0.1, 0.1, z=1)],
            "'main' and 'logo' overlap on the same z level (1)",
        ),
        (
            [
                region("main", "main", 0, 0, 1, 1, z=1),
                region("a", "side", 0, 0, 0.5, 0.5, z=2),
                region("b", "side", 0.25, 0.25, 0.5, 0.5, z=2),
            ],
            "'a' and 'b' overlap",
        ),
    ],
)
def test_invalid_custom_layout_is_rejected(regions, message):
    with pytest.raises(LayoutTemplateError) as info:
        validate_layout(make(*regions))
    assert message in str(info.value)
    assert "'custom'" in str(info.value)


def test_builtin_layouts_with_several_regions_have_a_variant_for_the_other_orientation():
    layouts = {layout.id: layout for layout in load_builtin_layouts(default_layouts_dir())}
    assert set(layouts["main_ticker_clock"].variants) == {"portrait"}
    assert set(layouts["two_zones"].variants) == {"portrait"}
    assert set(layouts["portrait"].variants) == {"landscape"}
