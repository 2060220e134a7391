"""End-to-end tests: real processes (the player, the server) talking over real sockets.

Every test collected under this folder is marked ``slow``, so ``pytest -m "not slow"`` is the
quick loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
