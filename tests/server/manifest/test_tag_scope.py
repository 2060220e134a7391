"""A tag schedule never reaches boards outside its owner's unit, whoever else uses the tag."""

from signage_contract import Manifest, SignedManifest, TextItem
from signage_server.models import (
    Bulletin,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)


def test_commune_a_tag_schedule_does_not_reach_commune_b(client, session, tree, make_board) -> None:
    inside = make_board(unit_id=tree.commune_a, tags=["led"])
    outside = make_board(unit_id=tree.commune_b, tags=["led"])
    bulletin = Bulletin(unit_id=tree.commune_a, title="Chỉ xã A", state=ContentState.PUBLISHED)
    playlist = Playlist(unit_id=tree.commune_a, name="A", state=ContentState.PUBLISHED)
    session.add_all([bulletin, playlist])
    session.flush()
    session.add(
        PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletin.id)
    )
    schedule = Schedule(
        unit_id=tree.commune_a,
        name="LED xã A",
        layout_id="fullscreen",
        target_kind=TargetKind.TAG,
        target_tag="led",
        state=ContentState.PUBLISHED,
    )
    session.add(schedule)
    session.flush()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    assert _titles(client, session, inside.id) == {"Chỉ xã A"}
    assert _titles(client, session, outside.id) == set()


def _titles(client, session, board_id: int) -> set[str]:
    signed = SignedManifest.model_validate_json(client.app.state.composer.current(session, board_id).document)
    manifest = Manifest.model_validate_json(signed.payload)
    return {item.title for item in manifest.items if isinstance(item, TextItem)}
