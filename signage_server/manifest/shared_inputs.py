"""What every board's composition reads alike, kept between compositions while it is unchanged.

Composing one board reads the board's own rows (its units, power, audio, overrides) and the content
every board shares: the playable schedules with their regions, their playlists and items, the media,
bulletins, PDF pages and speech clips those name, and the layouts. Through the ORM that shared part
was most of the cost (``bench server``, one board under 200 schedules on SQLite: ~6 of 8 ms of
reading, nearly all of it turning rows into Python values, not the queries themselves).

Triggers count every write to those tables in ``content_generation`` inside the writing transaction
(migration 0025), whatever writes them: a route, the command line, another instance. A composer reads
the count first, one small statement, and reuses the specs, playlists and layouts it read at that
count; any other count reads them again, every playable schedule of the province at once (as a batch
of more than 200 boards always did), and keeps that. Reading the count before the content makes the
kept content at least as new as the count it is filed under: a write committed in between is counted
after it, so the next composition reads again.

Only the composer's own sessions use it: they write none of these tables before composing, so the
count they read is committed (a session composing its own uncommitted content edits must not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from signage_contract import Layout
from signage_server.manifest.batch import GroupCache
from signage_server.manifest.builder import PlaylistSpec
from signage_server.manifest.scheduling import ScheduleSpec
from signage_server.models import ContentGeneration

# The tables whose writes migration 0025 counts (a test checks the triggers at head against it).
WATCHED_TABLES = frozenset({"schedule", "schedule_region", "playlist", "playlist_item", "media", "media_page",
                            "bulletin", "speech_clip", "layout"})


@dataclass(frozen=True)
class SharedInputs:
    """Every playable schedule not over before a day, as specs, with what they show, and the
    manifest bodies composed from them so far (``groups``: they are valid as long as these are)."""

    specs: tuple[ScheduleSpec, ...]
    playlists: Mapping[int, PlaylistSpec]
    layouts: Mapping[str, Layout]
    groups: GroupCache | None = None


class SharedInputsCache:
    """One composer's kept ``SharedInputs`` (one database). Request threads and the composer's
    worker share it: a race between two of them costs a second read, never a wrong answer."""

    def __init__(self) -> None:
        self._kept: tuple[tuple[int, date], SharedInputs] | None = None
        self.reads = 0  # how many times the content was read from the database

    def get(self, session: Session, since: date, read: Callable[[], SharedInputs]) -> SharedInputs:
        """The shared inputs as of ``since`` (the day before the composition), by ``read`` unless
        kept at the current count. Without the count's row (a database emptied by hand) nothing is
        kept."""
        query = select(ContentGeneration.value).where(col(ContentGeneration.id) == 1)
        generation = session.exec(query).first()
        if generation is None:
            self._kept = None
            self.reads += 1
            return read()
        key = (generation, since)
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        found = replace(read(), groups=GroupCache())
        self.reads += 1
        self._kept = (key, found)
        return found
