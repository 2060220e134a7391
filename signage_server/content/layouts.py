"""Built-in layout templates (``layouts/*.json``) and the checks every layout must pass.

The contract's ``Layout`` model checks the shape (relative coordinates inside the screen, unique
region ids); :func:`validate_layout` adds what makes a layout playable: a main region, and no two
regions on the same z level covering each other (overlap is allowed only across z levels, e.g. a
clock floating over the main region). Custom layouts posted through the API pass the same checks.

Where the templates live: ``layouts/`` at the repository root is the source of truth.
``signage_server/layouts`` is a symlink to it, and pyproject.toml lists ``layouts/*.json`` as
package data, so a built wheel carries real copies. :func:`default_layouts_dir` takes the
package directory (a real copy when installed, the symlink in a checkout) and falls back to the
repository directory in a Windows checkout where git wrote the symlink as a plain file.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

from pydantic import ValidationError

from signage_contract import Layout, Region, RegionRole
from signage_server.shipped import ShippedFilesMissing, shipped_dir

REQUIRED_LAYOUT_IDS = frozenset({"fullscreen", "main_ticker_clock", "two_zones", "portrait", "led_lowres"})
_EPS = 1e-9  # regions that only touch (0.78 + 0.22 == 1.0 in floats) do not overlap


class LayoutTemplateError(Exception):
    """A layout that cannot be used; the message says which file or layout and what is wrong."""


def default_layouts_dir() -> Path:
    """The built-in templates: package data (or the symlink to them), else the repository's ``layouts/``."""
    try:
        return shipped_dir("layouts", "*.json")
    except ShippedFilesMissing as exc:
        raise LayoutTemplateError(str(exc)) from exc


def validate_layout(layout: Layout) -> None:
    """Raise LayoutTemplateError unless the layout (and each orientation variant) has a main region
    and no same-z overlap."""
    if not any(region.role == RegionRole.MAIN for region in layout.regions):
        roles = ", ".join(sorted({region.role.value for region in layout.regions}))
        raise LayoutTemplateError(f"layout {layout.id!r} has no region with role 'main' (roles: {roles})")
    placements = [("", layout.regions)] + [(f" ({o.value})", r) for o, r in layout.variants.items()]
    for variant, regions in placements:
        for a, b in combinations(regions, 2):
            if a.z == b.z and _overlap(a, b):
                raise LayoutTemplateError(
                    f"layout {layout.id!r}{variant}: regions {a.id!r} and {b.id!r} overlap on the same z "
                    f"level ({a.z}); move one or give it another z"
                )


def _overlap(a: Region, b: Region) -> bool:
    return (
        a.x < b.x + b.w - _EPS
        and b.x < a.x + a.w - _EPS
        and a.y < b.y + b.h - _EPS
        and b.y < a.y + a.h - _EPS
    )


def load_layout_file(path: Path) -> Layout:
    """Parse and check one template file; every error names the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LayoutTemplateError(
            f"{path.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutTemplateError(f"{path.name}: cannot be read: {exc}") from exc
    try:
        layout = Layout.model_validate(data)
    except ValidationError as exc:
        raise LayoutTemplateError(f"{path.name}: {_describe(exc)}") from exc
    try:
        validate_layout(layout)
    except LayoutTemplateError as exc:
        raise LayoutTemplateError(f"{path.name}: {exc}") from exc
    return layout


def load_builtin_layouts(directory: Path) -> list[Layout]:
    """Every ``*.json`` template in ``directory``, sorted by id; raises on the first bad one."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise LayoutTemplateError(f"no layout templates (*.json) in {directory}")
    layouts: list[Layout] = []
    seen: dict[str, str] = {}
    for path in files:
        layout = load_layout_file(path)
        if layout.id in seen:
            raise LayoutTemplateError(
                f"{path.name}: layout id {layout.id!r} is already used by {seen[layout.id]}"
            )
        if layout.id != path.stem:
            raise LayoutTemplateError(
                f"{path.name}: layout id {layout.id!r} does not match the file name; "
                f"name the file {layout.id}.json or set the id to {path.stem!r}"
            )
        seen[layout.id] = path.name
        layouts.append(layout)
    return layouts


def _describe(exc: ValidationError) -> str:
    """One line per problem, e.g. ``regions.0: region 'main' extends past the screen``."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "layout"
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
