"""/docs and /redoc load nothing from outside the server (they must work on an intranet), and the
site root leads to the panel."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from signage_server.app import create_app
from signage_server.settings import Settings

ASSET_URL = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture
def client(tmp_path) -> TestClient:
    app = create_app(Settings(data_dir=tmp_path / "data", seed_units=False))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_every_asset_from_the_server_itself(client, page) -> None:
    html = client.get(page).text
    urls = [a or b for a, b in ASSET_URL.findall(html)]
    assert urls, "the page names its assets"
    assert [u for u in urls if "//" in u] == []
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_docs_policy_allows_no_other_origin(client) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "http" not in policy


def test_the_docs_assets_carry_their_licence_notice(client) -> None:
    notice = client.get("/docs-assets-notice.txt").text
    assert "Apache License 2.0" in notice and "Rebilly" in notice


def test_the_site_root_leads_to_the_panel(client) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/panel/dashboard"
