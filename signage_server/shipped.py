"""Files the product ships beside the code: ``layouts/`` (built-in templates) and ``media/``
(demo posters, the unit emblem placeholder; their licences in ``media/README.md``).

Both folders live at the repository's top level; ``signage_server/layouts`` and
``signage_server/media`` are symlinks to them, and pyproject.toml lists their files as package data,
so an installed wheel carries them too.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


class ShippedFilesMissing(Exception):
    """Neither the installed package nor the checkout holds the folder; the message names both."""


def shipped_dir(name: str, pattern: str = "*") -> Path:
    """The shipped folder ``name`` (``"layouts"`` or ``"media"``) holding files matching ``pattern``."""
    packaged = resources.files("signage_server") / name
    if isinstance(packaged, Path) and packaged.is_dir() and any(packaged.glob(pattern)):
        return packaged.resolve()
    # A checkout where git wrote the symlink as a plain file (Windows without symlink support).
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir() and any(checkout.glob(pattern)):
        return checkout
    raise ShippedFilesMissing(f"no {name}/{pattern} found in the installed package nor in {checkout}")
