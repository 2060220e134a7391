"""The demo's requisitioned shop board (Decree 49 "huy động, trưng dụng"): the province carries its
schedules there 5 minutes in every hour from 06:00 to 22:00, emergencies at any time; the rest of the
time the board plays its owner's slides, which the owner's account (``chucuahang``) manages."""

from __future__ import annotations

import secrets
from datetime import time

from sqlmodel import Session

from signage_contract import Category
from signage_server.core.auth import hash_password
from signage_server.models import (
    Bulletin,
    ContentMixin,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    RequisitionWindow,
    Role,
    Schedule,
    ScheduleRegion,
    TargetKind,
    User,
)

OWNER_USERNAME = "chucuahang"
SLIDES = (
    ("Cửa hàng Minh Anh", "Điện máy, gia dụng chính hãng. Mở cửa 7:00 – 21:00 hằng ngày."),
    ("Khuyến mãi cuối tuần", "Giảm 10% cho khách hàng mua nồi cơm điện và quạt máy."),
)


def seed_shop(session: Session, *, board_id: int, unit_id: int) -> tuple[str, str]:
    """The windows, the owner's account and the owner's published slides; (user name, password)."""
    session.add(RequisitionWindow(board_id=board_id, daily_start=time(6), daily_end=time(22),
                                  every_min=60, length_min=5))
    password = secrets.token_urlsafe(9)
    owner = User(username=OWNER_USERNAME, role=Role.OWNER, unit_id=unit_id, board_id=board_id,
                 full_name="Chủ cửa hàng Minh Anh", password_hash=hash_password(password))
    session.add(owner)
    session.flush()

    def owned(row: ContentMixin) -> None:
        row.unit_id, row.owner_board_id, row.created_by = unit_id, board_id, owner.id
        row.state = ContentState.PUBLISHED

    playlist = Playlist(name="Nội dung của chủ bảng: cửa hàng Minh Anh", unit_id=unit_id)
    owned(playlist)
    session.add(playlist)
    session.flush()
    for position, (title, body) in enumerate(SLIDES):
        slide = Bulletin(title=title, body=body, category=Category.PRODUCTS_SERVICES, unit_id=unit_id)
        owned(slide)
        session.add(slide)
        session.flush()
        session.add(PlaylistItem(playlist_id=playlist.id or 0, position=position, kind=ItemKind.BULLETIN,
                                 bulletin_id=slide.id, duration_s=10))
    schedule = Schedule(name=playlist.name, layout_id="fullscreen", target_kind=TargetKind.BOARD,
                        target_board_id=board_id, unit_id=unit_id)
    owned(schedule)
    session.add(schedule)
    session.flush()
    session.add(ScheduleRegion(schedule_id=schedule.id or 0, region_id="main", playlist_id=playlist.id or 0))
    return OWNER_USERNAME, password
