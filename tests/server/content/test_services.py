"""The content services called directly: each refusal is a DomainError with a stable code, and a
write announces what it touched."""

import pytest
from sqlmodel import Session

from signage_server.content import approvals, bulletins, custom_layouts, playlists, records, schedules
from signage_server.content.schemas import ItemCreate, PlaylistCreate, ScheduleCreate
from signage_server.content.workflow import Actor
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from signage_server.models import ContentState, User
from signage_server.schemas import BulletinCreate, LayoutUpdate, StateChange


def _actor(session: Session, users, key: str) -> Actor:
    user = session.get(User, users[key].id)
    assert user is not None
    return Actor(user, "192.0.2.1")


@pytest.fixture
def feed() -> tuple[ChangeFeed, list[Change]]:
    feed, seen = ChangeFeed(), []
    feed.subscribe(seen.append)
    return feed, seen


def _bulletin(session, users, feed) -> int:
    made = bulletins.create_bulletin(session, actor=_actor(session, users, "editor_a"), changes=feed[0],
                                     data=BulletinCreate(title="Lịch tiêm chủng"))
    return made.id


def _playlist_showing(session, editor: Actor, feed, bulletin_id: int | None):
    made = playlists.create_playlist(session, actor=editor, changes=feed[0], data=PlaylistCreate(name="Sáng"))
    if bulletin_id is None:
        return made
    return playlists.add_item(session, actor=editor, changes=feed[0], playlist_id=made.id,
                              item=ItemCreate(kind="bulletin", bulletin_id=bulletin_id))


def _decide(session, actor: Actor, feed, kind: records.Kind, item_id: int, state: ContentState):
    """A workflow move on any kind, to run now (``()``) or to expect refused."""
    return lambda: approvals.decide(session, actor=actor, changes=feed[0], kind=kind, item_id=item_id,
                                    change=StateChange(state=state))


def _refusal(kind: type[DomainError], action) -> DomainError:
    with pytest.raises(kind) as info:
        action()
    return info.value


def test_a_write_announces_the_row_it_touched(session, users, feed) -> None:
    bid = _bulletin(session, users, feed)
    assert feed[1] == [Change(bulletins=frozenset({bid}))]


def test_content_outside_the_scope_is_not_found(session, users, feed) -> None:
    bid = _bulletin(session, users, feed)
    outsider = _actor(session, users, "editor_b").user
    error = _refusal(NotFound, lambda: bulletins.get_bulletin(session, user=outsider, bulletin_id=bid))
    assert (error.code, error.message) == ("content.not_found", f"bulletin {bid} not found")


def test_only_editors_write_content(session, users, feed) -> None:
    approver = _actor(session, users, "approver_a")
    error = _refusal(Forbidden, lambda: bulletins.create_bulletin(
        session, actor=approver, changes=feed[0], data=BulletinCreate(title="Tin")))
    assert error.code == "content.role_needed"
    assert error.message == "this needs one of the roles: admin, editor"


def test_workflow_refusals_carry_their_codes(session, users, feed) -> None:
    bid = _bulletin(session, users, feed)
    editor, approver = _actor(session, users, "editor_a"), _actor(session, users, "approver_a")

    def move(actor: Actor, state: ContentState, reason: str = ""):
        return lambda: bulletins.change_bulletin_state(session, actor=actor, changes=feed[0], bulletin_id=bid,
                                                       change=StateChange(state=state, reason=reason))

    assert _refusal(Conflict, move(approver, ContentState.PUBLISHED)).code == "content.transition_refused"
    move(editor, ContentState.SUBMITTED)()
    assert _refusal(Forbidden, move(editor, ContentState.APPROVED)).code == "content.transition_role_needed"
    assert _refusal(Invalid, move(approver, ContentState.REJECTED)).code == "content.reason_needed"
    assert move(approver, ContentState.REJECTED, "sai chính tả")().state == ContentState.REJECTED


def test_nobody_decides_on_their_own_submission(session, users, feed) -> None:
    admin = _actor(session, users, "admin_a")
    made = bulletins.create_bulletin(session, actor=admin, changes=feed[0], data=BulletinCreate(title="Tin"))
    _decide(session, admin, feed, "bulletin", made.id, ContentState.SUBMITTED)()
    error = _refusal(Forbidden, _decide(session, admin, feed, "bulletin", made.id, ContentState.APPROVED))
    assert error.code == "content.four_eyes"


def test_a_playlist_waits_for_its_parts(session, users, feed) -> None:
    editor, approver = _actor(session, users, "editor_a"), _actor(session, users, "approver_a")
    bid = _bulletin(session, users, feed)
    playlist = _playlist_showing(session, editor, feed, bid)
    _decide(session, editor, feed, "playlist", playlist.id, ContentState.SUBMITTED)()
    approve = _decide(session, approver, feed, "playlist", playlist.id, ContentState.APPROVED)
    error = _refusal(Conflict, approve)
    assert error.code == "content.parts_not_approved"
    assert f"bulletin {bid} (draft)" in error.message


def test_content_in_use_is_not_deleted(session, users, feed) -> None:
    editor = _actor(session, users, "editor_a")
    bid = _bulletin(session, users, feed)
    playlist = _playlist_showing(session, editor, feed, bid)
    error = _refusal(Conflict, lambda: bulletins.delete_bulletin(
        session, actor=editor, changes=feed[0], bulletin_id=bid))
    assert error.code == "content.in_use"
    assert error.message == (f"playlists {playlist.name} (#{playlist.id}) show this bulletin; "
                             "remove it from them first")
    assert error.params["used_by_kind"] == "playlist"
    assert error.params["used_by"] == str(playlist.id) and error.params["used_by_names"] == playlist.name


def test_a_built_in_layout_is_read_only(session, users, feed, layout) -> None:
    editor = _actor(session, users, "editor_a")
    error = _refusal(Forbidden, lambda: custom_layouts.update_layout(
        session, actor=editor, changes=feed[0], layout_id=layout.id, patch=LayoutUpdate(name="Khác")))
    assert error.code == "content.not_editable"


def test_a_schedule_announces_the_targets_it_left_and_reached(session, users, feed, layout, tree) -> None:
    editor = _actor(session, users, "editor_a")
    playlist = _playlist_showing(session, editor, feed, None)
    made = schedules.create_schedule(session, actor=editor, changes=feed[0], data=ScheduleCreate(
        name="Cả ngày", layout_id=layout.id, regions={"main": playlist.id}, target_kind="unit",
        target_unit_id=tree.commune_a))
    schedules.update_schedule(session, actor=editor, changes=feed[0], schedule_id=made.id,
                              patch=schedules.ScheduleUpdate(target_unit_id=tree.village_a))
    assert feed[1][-1] == Change(schedules=frozenset({made.id}),
                                 units=frozenset({tree.commune_a, tree.village_a}))


def test_every_kind_is_reachable_by_its_queue_name() -> None:
    assert {records.label(model) for model in records.KINDS.values()} == set(records.KINDS)
