"""Where things are in the repository, for tests that start processes or read shipped files."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
"""The checkout: holds ``signage_server/``, ``player/``, ``layouts/`` and ``tests/``."""
