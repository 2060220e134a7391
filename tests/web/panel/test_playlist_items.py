"""The panel's add-item form sends what each item kind names (a bulletin, an image, a text or
nothing) and drops the fields meant for other kinds."""

from __future__ import annotations

import pytest
from sqlmodel import select

from signage_server.models import Bulletin, ItemKind, Media, Playlist, PlaylistItem
from tests.support.panel_client import login


@pytest.fixture
def playlist(session, tree) -> Playlist:
    row = Playlist(name="Buổi chiều", unit_id=tree.commune_a)
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def form(session, tree) -> dict[str, str]:
    """Every field of the form filled in, as a careless editor might."""
    media = Media(unit_id=tree.commune_a, sha256="1" * 64, size=10, content_type="image/png",
                  width=4, height=4)
    bulletin = Bulletin(title="Lịch tiếp dân", unit_id=tree.commune_a)
    session.add_all([media, bulletin])
    session.commit()
    return {"media_id": str(media.id), "bulletin_id": str(bulletin.id), "text": "Bão số 5",
            "duration_s": "12"}


@pytest.mark.parametrize(("kind", "named"), [
    (ItemKind.IMAGE, {"media_id"}),
    (ItemKind.BULLETIN, {"bulletin_id"}),
    (ItemKind.TICKER, {"text"}),
    (ItemKind.CLOCK, set()),
])
def test_each_kind_keeps_only_what_it_names(client, users, session, playlist, form, kind, named) -> None:
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items",
                       data={**form, "kind": kind.value, "csrf_token": csrf})
    assert page.status_code == 200, page.text
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).one()
    assert item.kind == kind and item.duration_s == 12
    kept = {field for field in ("media_id", "bulletin_id") if getattr(item, field) is not None}
    kept |= {"text"} if item.text else set()
    assert kept == named


def test_an_image_item_is_fitted_as_the_editor_chooses(client, users, session, playlist, form) -> None:
    """Issue 12 part 4: whole over a colour instead of the blurred fill; an unknown fit is refused."""
    csrf = login(client, "editor-a")
    client.post(f"/panel/playlists/{playlist.id}/items", data={**form, "kind": "image", "csrf_token": csrf})
    item = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).one()
    page = client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/fit", data={
        "fit": "contain", "letterbox": "colour", "background": "#1a2b3c", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    session.refresh(item)
    assert item.options == {"fit": "contain", "letterbox": "colour", "background": "#1A2B3C"}
    assert 'value="#1a2b3c"' in page.text and '<option value="colour" selected>' in page.text
    refused = client.post(f"/panel/playlists/{playlist.id}/items/{item.id}/fit", data={
        "fit": "stretch", "csrf_token": csrf})
    assert refused.status_code == 422 and "fit" in refused.text
    session.refresh(item)
    assert item.options["fit"] == "contain"
