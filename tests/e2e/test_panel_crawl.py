"""A crawl in Chromium of every panel page the demo's admin, editor, approver and operator reach by
following links, and of the error paths (a refused upload, a 403, a 404, a refused form), in
Vietnamese: no untranslated English sentence, no raw id, every time local and labelled. The
figures (pages crawled, findings) are printed and kept in test-artifacts/crawl/."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.browser import DESKTOP
from tests.support.browser import log_in as sign_in
from tests.support.net import free_port
from tests.support.panel_crawl import FRAGMENTS_JS, Finding, inspect
from tests.support.paths import REPOSITORY

ARTIFACTS = REPOSITORY / "tests" / "test-artifacts" / "crawl"
ROLES = ("admin", "editor", "approver", "operator")
WAIT_MS = 20_000
START_TIMEOUT_S = 90.0
PAGES_PER_ROLE = 80
SAME_SHAPE = 2  # pages of one shape (/panel/boards/N) visited per role: the template is what is checked
NOT_PAGES = re.compile(r"/(logout|language/|static/|font/)|\.csv$|/(thumbnail|content|image)$|/screenshots?/")

pytestmark = pytest.mark.slow



@dataclass(frozen=True)
class Demo:
    url: str
    passwords: dict[str, tuple[str, str]]  # role -> (user name, password)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``python -m signage_server.demo`` (seeded content, users of every role, a headless player)."""
    base = tmp_path_factory.mktemp("crawl")
    data, port = base / "demo", free_port()
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
           "PYTHONPATH": str(REPOSITORY)}
    with (base / "demo.log").open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "signage_server.demo", "--data-dir", str(data), "--port", str(port),
             "--headless"],
            cwd=REPOSITORY, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        users = data / "demo-users.txt"
        _wait_until_up(url, users, process)
        rows = [line.split() for line in users.read_text(encoding="utf-8").splitlines() if line.strip()]
        yield Demo(url, {role: (name, password) for name, password, role in rows})
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _wait_until_up(url: str, users: Path, process: subprocess.Popen[bytes]) -> None:
    with httpx.Client(timeout=1.0) as client:
        for _ in range(int(START_TIMEOUT_S * 4)):
            assert process.poll() is None, "the demo stopped"
            try:
                if users.exists() and client.get(f"{url}/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            process_wait(process, 0.25)  # polls the health check; returns at once if the demo died
    pytest.fail("the demo did not start")


def process_wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait on the demo process itself (returns early only if it died)."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)


def log_in(browser, demo: Demo, role: str):
    context = browser.new_context(base_url=demo.url, viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, *demo.passwords[role])
    return context, page


def settle(page) -> None:
    """Wait until htmx has swapped in what it asked for (its classes are gone)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def read(page, label: str) -> list[Finding]:
    settle(page)
    return inspect(label, page.evaluate(FRAGMENTS_JS))


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(page, role: str) -> tuple[list[str], list[Finding]]:
    """Breadth first over the panel's links from the overview, GET only."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: deque[str] = deque(["/panel/dashboard"])
    visited: list[str] = []
    findings: list[Finding] = []
    while queue and len(visited) < PAGES_PER_ROLE:
        target = queue.popleft()
        page.goto(target)
        visited.append(target)
        findings += read(page, f"{role} {target}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/panel") or NOT_PAGES.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen or shapes[shape(parts.path)] >= SAME_SHAPE:
                continue
            seen.add(link)
            shapes[shape(parts.path)] += 1
            queue.append(link)
    return visited, findings


def error_paths(page, tmp_path: Path) -> tuple[list[str], list[Finding]]:
    """As the editor: a refused upload, a page of another role (403), a missing page and object
    (404), a refused form (an image item with no image)."""
    visited, findings = [], []
    page.goto("/panel/media")
    refused = tmp_path / "ghi-chu.txt"
    refused.write_text("không phải ảnh", encoding="utf-8")
    page.set_input_files("#file", str(refused))
    page.locator("#upload-status li.error").wait_for()
    visited.append("refused upload")
    findings += read(page, "editor refused upload")
    for path, status in (("/panel/approvals", 403), ("/panel/users", 403), ("/panel/no-such-page", 404),
                         ("/panel/boards/987654", 404), ("/panel/boards/abc", 422)):
        answer = page.goto(path)
        assert answer is not None and answer.status == status, path
        assert "text/html" in answer.headers["content-type"], path
        visited.append(path)
        findings += read(page, f"editor {path} ({status})")
    page.goto("/panel/playlists")
    first = page.locator("a[href^='/panel/playlists/']").first
    first.click()
    page.wait_for_url(re.compile(r"/panel/playlists/\d+$"))
    page.select_option("#kind", "image")
    with page.expect_navigation():
        page.get_by_role("button", name="Thêm", exact=True).click()
    assert page.locator(".alert.error").count() == 1
    visited.append("refused playlist item")
    findings += read(page, "editor refused playlist item")
    return visited, findings


@pytest.mark.timeout(900)  # four roles, up to 80 pages each, in a real browser
def test_every_panel_page_and_error_path_is_vietnamese_without_raw_ids_and_in_local_time(
        browser, demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages: dict[str, list[str]] = {}
    findings: list[Finding] = []
    for role in ROLES:
        context, page = log_in(browser, demo, role)
        pages[role], found = crawl(page, role)
        findings += found
        if role == "editor":
            pages["errors"], found = error_paths(page, tmp_path)
            findings += found
        context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {"pages": {k: len(v) for k, v in pages.items()}, "total": sum(map(len, pages.values())),
               "findings": len(findings), "by_kind": Counter(f.kind for f in findings)}
    (ARTIFACTS / "crawl.json").write_text(json.dumps(
        {**figures, "visited": pages, "found": [asdict(f) for f in findings]}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    with capsys.disabled():
        print(f"\npanel crawl: {figures['total']} pages {figures['pages']}, {len(findings)} findings")
    assert findings == []


def test_the_quick_guide_prints_on_one_a4_page(browser, demo: Demo) -> None:
    context, page = log_in(browser, demo, "editor")
    page.goto("/panel/guide")
    assert page.get_by_role("heading", name="Hướng dẫn nhanh cho biên tập viên cấp xã").is_visible()
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    pdf = page.pdf(format="A4", print_background=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "quick-guide.pdf").write_bytes(pdf)
    context.close()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
