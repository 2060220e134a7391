"""The files the product ships: found through the package, each one listed with its licence."""

from __future__ import annotations

from PIL import Image

from signage_server.demo.data import POSTERS
from signage_server.shipped import ShippedFilesMissing, shipped_dir
from tests.support.paths import REPOSITORY


def test_media_and_layouts_are_found_through_the_package() -> None:
    assert shipped_dir("media", "*.jpg") == (REPOSITORY / "media").resolve()
    assert shipped_dir("layouts", "*.json") == (REPOSITORY / "layouts").resolve()


def test_a_missing_folder_names_where_it_looked() -> None:
    try:
        shipped_dir("nothing-here")
    except ShippedFilesMissing as exc:
        assert "nothing-here" in str(exc)
    else:
        raise AssertionError("a folder that does not exist was found")


def test_every_shipped_file_is_an_image_with_its_licence_in_the_readme() -> None:
    media = REPOSITORY / "media"
    readme = (media / "README.md").read_text(encoding="utf-8")
    files = sorted(p for p in media.iterdir() if p.name != "README.md")
    assert {p.name for p in files} >= {name for name, _title in POSTERS} | {"emblem-placeholder.png"}
    for path in files:
        assert f"`{path.name}`" in readme, f"{path.name} has no line (and licence) in media/README.md"
        with Image.open(path) as image:
            image.verify()
