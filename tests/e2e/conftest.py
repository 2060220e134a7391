"""Everything here starts real processes (server, player, browser): marked ``slow``.

``pytest -m "not slow"`` is the quick loop while developing; ``make test`` runs these too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)
