"""Where each region goes on this screen (pure): the layout's variant for the screen's orientation,
then the layout closes up over regions that have nothing to show.

An empty region beside the main one (sharing a whole edge with it, as the portrait layout's side
strip does) is given to the main region, so the board never shows a black band; an empty region
elsewhere stays and is filled by the compositor with the board's name and the clock.
"""

from __future__ import annotations

from dataclasses import replace

from signage_contract import Orientation, Region, RegionRole

from ..core.timeline import Frame, RegionShow

_EPS = 1e-6


def arrange(frame: Frame, size: tuple[int, int]) -> Frame:
    """``frame`` placed for a screen of ``size`` (width, height)."""
    placed = {r.id: r for r in frame.layout.regions_for(Orientation.of(size))}
    shows = [replace(show, region=placed.get(show.region.id, show.region)) for show in frame.regions]
    shows = close_up(shows)
    if [s.region for s in shows] == [s.region for s in frame.regions]:
        return frame
    layout = frame.layout.model_copy(update={"regions": [s.region for s in shows], "variants": {}})
    return replace(frame, layout=layout, regions=tuple(shows))


def close_up(shows: list[RegionShow]) -> list[RegionShow]:
    """Merge every empty non-main region that shares a whole edge with the main region into it."""
    main = next((i for i, s in enumerate(shows) if s.region.role == RegionRole.MAIN), None)
    if main is None:
        return shows
    merged = True
    while merged:
        merged = False
        for index, show in enumerate(shows):
            if index == main or show.item is not None or show.region.role == RegionRole.MAIN:
                continue
            grown = _union(shows[main].region, show.region)
            if grown is not None:
                shows[main] = replace(shows[main], region=grown)
                del shows[index]
                main = next(i for i, s in enumerate(shows) if s.region.role == RegionRole.MAIN)
                merged = True
                break
    return shows


def _union(main: Region, empty: Region) -> Region | None:
    """The main region grown over ``empty`` when the two share a whole edge, else None."""

    def near(a: float, b: float) -> bool:
        return abs(a - b) < _EPS

    same_columns = near(main.x, empty.x) and near(main.w, empty.w)
    same_rows = near(main.y, empty.y) and near(main.h, empty.h)
    if same_columns and (near(main.y + main.h, empty.y) or near(empty.y + empty.h, main.y)):
        top = min(main.y, empty.y)
        return main.model_copy(update={"y": top, "h": max(main.y + main.h, empty.y + empty.h) - top})
    if same_rows and (near(main.x + main.w, empty.x) or near(empty.x + empty.w, main.x)):
        left = min(main.x, empty.x)
        return main.model_copy(update={"x": left, "w": max(main.x + main.w, empty.x + empty.w) - left})
    return None
