"""Everything here starts real processes (server, player, browser): marked ``slow``.

``pytest -m "not slow"`` is the quick loop while developing; ``make test`` runs these too.

The browser tests share these fixtures: ``browser`` (one headless Chromium per module), ``site``
(one seeded server per module; a module needing more seeds overrides it), ``context`` (a fresh
desktop context in Vietnamese) and ``page`` (a tab of it that fails the test on a script error or
a CSP violation). A module sets ``WAIT_MS`` to wait longer than ``tests/support/browser.WAIT_MS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import browser as shared
from tests.support.panel_site import Site, running_site

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not shared.CHROMIUM.exists():
        pytest.skip("Chromium not found at /usr/bin/chromium: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed: pip install -e .[dev]")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(shared.CHROMIUM), args=shared.CHROMIUM_ARGS,
                                              headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Site]:
    base = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with running_site(base / "data", base / "server.log") as running:
        yield running


def wait_ms(request: pytest.FixtureRequest) -> int:
    return int(getattr(request.module, "WAIT_MS", shared.WAIT_MS))


@pytest.fixture
def context(browser: Any, site: Site, request: pytest.FixtureRequest) -> Iterator[Any]:
    opened = browser.new_context(base_url=site.url, viewport=shared.DESKTOP, locale="vi-VN")
    opened.set_default_timeout(wait_ms(request))
    yield opened
    opened.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    tab = context.new_page()
    errors = shared.watch_errors(tab)
    yield tab
    assert errors == [], f"script errors or CSP violations: {errors}"
