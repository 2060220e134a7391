"""The layout pages' pure part: a layout drawn at a board's shape (rectangles in the board's own
pixels, for an SVG), and the region editor's form read into a layout with its problems said in
the reader's language (the service then checks it again as it checks every layout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from signage_contract import Layout, Orientation, Region, RegionRole
from signage_server.content.layouts import LayoutTemplateError, validate_layout
from signage_server.web.panel.labels import N_
from signage_server.web.panel.refusals import Translate

EDITOR_ROWS = 6  # region rows the editor offers (a layout rarely has more than four)
SHAPES = ((1920, 1080), (768, 384), (384, 192), (1080, 1920))  # shown when no board is chosen
# Fill colours per role; the label is drawn in white on each (contrast >= 4.5:1).
ROLE_FILLS = {"main": "#0b4f8a", "ticker": "#7a3e00", "clock": "#14532d", "logo": "#5b2a86",
              "side": "#8b0000", "title": "#3d3d3d"}
NOT_A_NUMBER = N_("Region %(n)s: position and size must be numbers (percent of the screen).")
OUTSIDE = N_("Region %(n)s (%(role)s) must lie inside the screen, with a width and height above 0.")
NO_MAIN = N_("A layout needs a main region (role: main).")
OVERLAP = N_("Regions %(a)s and %(b)s overlap on the same level; move one or give it another level.")
NO_REGIONS = N_("Add at least one region.")
NAME_NEEDED = N_("Give the layout a name.")
BAD_COLOUR = N_("The background colour is not a colour.")


@dataclass(frozen=True)
class Box:
    role: str
    x: int
    y: int
    w: int
    h: int
    z: int
    fill: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    background: str
    boxes: list[Box]


def pick_regions(layout: Layout, width: int, height: int) -> list[Region]:
    """The placement the player takes for a screen of this shape (its orientation's variant)."""
    orientation = Orientation.PORTRAIT if height > width else Orientation.LANDSCAPE
    return layout.variants.get(orientation, layout.regions)


def draw(layout: Layout, width: int, height: int) -> Drawing:
    """The layout's regions in the board's pixels, lowest level first (as the player stacks them)."""
    regions = sorted(pick_regions(layout, width, height), key=lambda r: r.z)
    boxes = [Box(r.role.value, round(r.x * width), round(r.y * height), max(1, round(r.w * width)),
                 max(1, round(r.h * height)), r.z, ROLE_FILLS.get(r.role.value, "#3d3d3d")) for r in regions]
    return Drawing(width, height, layout.background, boxes)


@dataclass
class EditorForm:
    """What the editor posts: a name, a background and rows of role, x, y, w, h (percent), level."""

    name: str = ""
    background: str = "#000000"
    rows: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, form: dict[str, str]) -> EditorForm:
        rows = [{k: form.get(f"{k}_{i}", "").strip() for k in ("role", "x", "y", "w", "h", "z")}
                for i in range(EDITOR_ROWS)]
        return cls(name=form.get("name", "").strip(), background=form.get("background", "#000000").strip(),
                   rows=rows)

    @classmethod
    def from_layout(cls, name: str, background: str, regions: list[dict[str, Any]]) -> EditorForm:
        rows = [{"role": str(r["role"]), "x": _percent(r["x"]), "y": _percent(r["y"]), "w": _percent(r["w"]),
                 "h": _percent(r["h"]), "z": str(r.get("z", 0))} for r in regions]
        blank = {"role": "", "x": "", "y": "", "w": "", "h": "", "z": "0"}
        return cls(name=name, background=background, rows=rows + [dict(blank)] * (EDITOR_ROWS - len(rows)))


def _percent(fraction: object) -> str:
    return f"{float(str(fraction)) * 100:g}"


def _region_ids(roles: list[str]) -> list[str]:
    """Ids from roles (``ticker``, a second ``ticker2``): schedules fill regions by these ids."""
    seen: dict[str, int] = {}
    ids = []
    for role in roles:
        seen[role] = seen.get(role, 0) + 1
        ids.append(role if seen[role] == 1 else f"{role}{seen[role]}")
    return ids


def read_layout(form: EditorForm, layout_id: str, tr: Translate,
                *, drafting: bool = False) -> tuple[Layout | None, list[str]]:
    """The layout the form describes, or the problems that stop it, in the reader's language
    (``drafting``: a preview, for which an unnamed layout is fine)."""
    problems: list[str] = []
    used = [(n, row) for n, row in enumerate(form.rows, 1) if row.get("role")]
    regions: list[dict[str, object]] = []
    for (n, row), region_id in zip(used, _region_ids([row["role"] for _, row in used]), strict=True):
        try:
            x, y, w, h = (float(row[k].replace(",", ".")) / 100 for k in ("x", "y", "w", "h"))
            z = int(row.get("z") or 0)
        except ValueError:
            problems.append(tr(NOT_A_NUMBER, n=n))
            continue
        regions.append({"id": region_id, "role": row["role"], "x": x, "y": y, "w": w, "h": h, "z": z, "n": n})
    if not form.name and not drafting:
        problems.append(tr(NAME_NEEDED))
    if not used:
        problems.append(tr(NO_REGIONS))
    if problems:
        return None, problems
    named = form if form.name else EditorForm(name="-", background=form.background, rows=form.rows)
    return _checked(named, layout_id, regions, tr)


def _checked(form: EditorForm, layout_id: str, regions: list[dict[str, object]],
             tr: Translate) -> tuple[Layout | None, list[str]]:
    problems = []
    numbers = {r["id"]: r.pop("n") for r in regions}
    for region in regions:
        try:
            Region.model_validate(region)
        except ValidationError:
            problems.append(tr(OUTSIDE, n=numbers[region["id"]], role=tr(str(region["role"]))))
    if problems:
        return None, problems
    try:
        layout = Layout.model_validate({"id": layout_id, "name": form.name, "background": form.background,
                                        "regions": regions})
    except ValidationError:
        return None, [tr(BAD_COLOUR)]
    if not any(r.role == RegionRole.MAIN for r in layout.regions):
        return None, [tr(NO_MAIN)]
    try:
        validate_layout(layout)
    except LayoutTemplateError:
        a, b = _overlapping(layout)
        return None, [tr(OVERLAP, a=numbers[a], b=numbers[b])]
    return layout, []


def _overlapping(layout: Layout) -> tuple[str, str]:
    for i, a in enumerate(layout.regions):
        for b in layout.regions[i + 1:]:
            if a.z == b.z and a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h:
                return a.id, b.id
    return layout.regions[0].id, layout.regions[-1].id
