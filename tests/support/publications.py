"""Publishing through the API in tests: one bulletin with files, and the playlist items it made."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from signage_server.models import PlaylistItem


def publish_with(client: Any, user: Any, session: Session, title: str, media_id: int,
                 **extra: Any) -> list[PlaylistItem]:
    """POST /publications of a bulletin titled ``title`` with the stored file ``media_id`` to the
    author's unit; the playlist items made for that file."""
    made = client.post("/api/v1/publications", headers=user.headers, json={
        "title": title, "media_ids": [media_id], "category": "policy_law",
        "targets": {"unit_ids": [user.unit_id]}, **extra})
    assert made.status_code == 201, made.text
    playlist_id = made.json()["playlist_id"]
    return list(session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id,
                                                        PlaylistItem.media_id == media_id)).all())
