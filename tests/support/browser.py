"""What every Chromium test shares: where the browser is and how it starts, signing in to the
panel, screenshots kept as artifacts, and the script errors a page must not raise. The fixtures
(``browser``, ``site``, ``context``, ``page``) are in ``tests/e2e/conftest.py``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.support.panel_site import PASSWORD
from tests.support.paths import REPOSITORY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPOSITORY / "tests" / "test-artifacts"
WAIT_MS = 20_000
DESKTOP = {"width": 1280, "height": 900}


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and land on the overview."""
    page.goto("/panel/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/panel/dashboard$"))


def shot(page: Any, folder: str, name: str) -> None:
    """A full-page screenshot under ``tests/test-artifacts/<folder>/``."""
    (ARTIFACTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / folder / f"{name}.png"), full_page=True)


def watch_errors(tab: Any, *, csp: bool = True) -> list[str]:
    """Collects the tab's uncaught script errors (and, with ``csp``, Content Security Policy
    violations from the console) into the list returned, for the test to assert empty."""
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    if csp:
        tab.on("console", lambda message: errors.append(message.text)
               if message.type == "error" and "Content Security Policy" in message.text else None)
    return errors
