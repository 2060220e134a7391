"""Demo content for ``make demo``: a province's communes, boards of several sizes, Vietnamese
bulletins from several Decree 49 categories, the posters shipped in media/, playlists and schedules.

Everything is created through the same tables and the media store the API uses, published so it
plays at once. Idempotent: a second run finds the demo boards and adds nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from signage_contract import Category, Priority
from signage_contract.timezone import LOCAL_ZONE
from signage_server.content.media_store import MediaStore
from signage_server.core.auth import hash_password
from signage_server.demo.shop import seed_shop
from signage_server.models import (
    AdminUnit,
    Board,
    BoardKind,
    BoardUnitHistory,
    Bulletin,
    ContentState,
    ItemKind,
    Media,
    Orientation,
    Playlist,
    PlaylistItem,
    Role,
    Schedule,
    ScheduleRegion,
    TargetKind,
    UnitLevel,
    User,
    utcnow,
)
from signage_server.shipped import shipped_dir

PROVINCE_CODE = "51"  # Quảng Ngãi in the 2025 list
PUBLISHED = ContentState.PUBLISHED


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role


@dataclass(frozen=True)
class DemoSite:
    province_id: int
    lcd_board_id: int
    led_board_id: int
    users: list[DemoUser]


POSTERS = [  # shipped in media/ (see media/README.md): file name, title
    ("poster-1.jpg", "Chung tay phòng chống bão lũ"),
    ("poster-2.jpg", "Ngày hội Đại đoàn kết toàn dân tộc"),
    ("poster-3.jpg", "Sản phẩm OCOP Quảng Ngãi"),
]

BULLETINS = [
    (
        "Thông báo tiêm vắc-xin sởi cho trẻ em",
        "Trạm Y tế xã tổ chức tiêm vắc-xin sởi – rubella cho trẻ từ 1 đến 5 tuổi vào sáng Thứ Bảy. "
        "Phụ huynh mang theo sổ tiêm chủng và căn cước công dân.",
        Category.POLICY_LAW,
        Priority.NORMAL,
    ),
    (
        "Cảnh giác lừa đảo qua điện thoại",
        "Công an xã khuyến cáo: không cung cấp mã OTP, không chuyển tiền cho người tự xưng cán bộ "
        "cơ quan nhà nước qua điện thoại. Mọi nghi vấn xin báo ngay số 113.",
        Category.PUBLIC_ORDER,
        Priority.NORMAL,
    ),
    (
        "Gương người tốt việc tốt",
        "Ông Nguyễn Văn Ẩn, Thôn An Phú, đã cứu ba em nhỏ khỏi dòng nước lũ ngày 12/11. "
        "Ủy ban nhân dân xã trao Giấy khen.",
        Category.EXEMPLARY_PEOPLE,
        Priority.NORMAL,
    ),
]

POWER_CUT_BODY = (
    "Điện lực Quảng Ngãi thông báo tạm ngừng cung cấp điện từ 7 giờ đến 11 giờ 30 để bảo dưỡng "
    "đường dây 22 kV khu vực Thôn Đông và Thôn Tây."
)
POWER_CUT_DAYS_AHEAD = 1  # the cut is the day after the demo starts; the notice ends with that day


def power_cut_bulletin(unit_id: int, today: date) -> Bulletin:
    """The demo's dated notice: announced from ``today`` (the demo's start, local), shown until
    the end of the day of the cut, never after it."""
    day = today + timedelta(days=POWER_CUT_DAYS_AHEAD)
    return Bulletin(
        unit_id=unit_id,
        title=f"Lịch cắt điện ngày {day.day}/{day.month}",
        body=POWER_CUT_BODY,
        category=Category.SOCIO_ECONOMIC,
        priority=Priority.PRIORITY,
        state=PUBLISHED,
        valid_from=datetime.combine(today, time(), tzinfo=LOCAL_ZONE).astimezone(UTC),
        valid_until=datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE).astimezone(UTC),
    )


TICKER = (
    "Đường dây nóng phòng chống thiên tai: 0255 3822 xxx  •  Người dân chủ động theo dõi tin bão "
    "trên bảng tin điện tử và loa truyền thanh  •  Thực hiện nếp sống văn minh đô thị"
)


def seed_demo(session: Session, store: MediaStore, *, today: date | None = None) -> DemoSite:
    """Seed the demo once; dated content is placed relative to ``today`` (default: the local date)."""
    province = session.exec(
        select(AdminUnit).where(AdminUnit.code == PROVINCE_CODE, AdminUnit.level == UnitLevel.PROVINCE)
    ).one()
    assert province.id is not None
    communes = list(
        session.exec(
            select(AdminUnit).where(AdminUnit.parent_id == province.id).order_by(col(AdminUnit.code)).limit(3)
        )
    )
    # The board was first named with the other tone placement ("hoá"); an older demo database keeps it.
    existing = session.exec(
        select(Board).where(col(Board.name).in_(("Màn hình LCD Nhà văn hóa", "Màn hình LCD Nhà văn hoá")))
    ).first()
    if existing is not None:
        led = session.exec(select(Board).where(Board.name == "Bảng LED UBND xã")).one()
        assert existing.id is not None and led.id is not None
        return DemoSite(province.id, existing.id, led.id, [])
    users = _users(session, province.id)
    commune = communes[0]
    assert commune.id is not None
    village = AdminUnit(
        code=f"{commune.code}-01",
        level=UnitLevel.VILLAGE,
        name="Thôn An Phú",
        division_type="thôn",
        parent_id=commune.id,
        valid_from=commune.valid_from,
    )
    session.add(village)
    session.flush()
    boards = _boards(session, [commune, *communes[1:]], village)
    media = _media(session, store, province.id)
    bulletins = _bulletins(session, province.id, today or utcnow().astimezone(LOCAL_ZONE).date())
    _schedules(session, province.id, boards, media, bulletins)
    _commune_schedule(session, commune.id)
    shop = session.get(Board, boards["shop"])
    assert shop is not None
    owner, password = seed_shop(session, board_id=boards["shop"], unit_id=shop.unit_id)
    users.append(DemoUser(owner, password, Role.OWNER))
    session.commit()
    return DemoSite(province.id, boards["lcd"], boards["led"], users)


def _users(session: Session, unit_id: int) -> list[DemoUser]:
    users = []
    for username, role in (
        ("admin", Role.ADMIN),
        ("bientap", Role.EDITOR),
        ("pheduyet", Role.APPROVER),
        ("vanhanh", Role.OPERATOR),
    ):
        password = secrets.token_urlsafe(9)
        session.add(
            User(
                username=username,
                role=role,
                unit_id=unit_id,
                password_hash=hash_password(password),
                full_name=f"Demo {role.value}",
            )
        )
        users.append(DemoUser(username, password, role))
    session.flush()
    return users


def _boards(session: Session, communes: list[AdminUnit], village: AdminUnit) -> dict[str, int]:
    specs = {
        "lcd": Board(
            name="Màn hình LCD Nhà văn hóa",
            unit_id=village.id or 0,
            width=1920,
            height=1080,
            latitude=15.1205,
            longitude=108.7923,
            address="Thôn An Phú",
            tags=["lcd"],
        ),
        "led": Board(
            name="Bảng LED UBND xã",
            unit_id=communes[0].id or 0,
            width=384,
            height=192,
            latitude=15.1214,
            longitude=108.8043,
            tags=["led"],
        ),
        "square": Board(
            name="Bảng LED quảng trường", unit_id=communes[1].id or 0, width=768, height=576, tags=["led"]
        ),
        "portrait": Board(
            name="Màn hình dọc bến xe",
            unit_id=communes[2].id or 0,
            width=1080,
            height=1920,
            orientation=Orientation.PORTRAIT,
        ),
        "shop": Board(
            name="Bảng LED cửa hàng (trưng dụng)",
            unit_id=communes[1].id or 0,
            width=512,
            height=256,
            kind=BoardKind.COMMERCIAL,
            tags=["led", "thuong-mai"],
        ),
    }
    session.add_all(specs.values())
    session.flush()
    for board in specs.values():
        assert board.id is not None
        session.add(BoardUnitHistory(board_id=board.id, unit_id=board.unit_id, valid_from=utcnow()))
    return {key: board.id or 0 for key, board in specs.items()}


def _media(session: Session, store: MediaStore, unit_id: int) -> list[int]:
    ids = []
    media = shipped_dir("media", "poster-*.jpg")
    for name, title in POSTERS:
        with (media / name).open("rb") as stream:
            stored = store.ingest(stream, name, "image/jpeg")
        row = Media(
            unit_id=unit_id,
            sha256=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
            width=stored.width,
            height=stored.height,
            original_name=stored.safe_name,
            title=title,
            state=PUBLISHED,
        )
        session.add(row)
        session.flush()
        ids.append(row.id or 0)
    return ids


def _bulletins(session: Session, unit_id: int, today: date) -> list[int]:
    rows = [
        Bulletin(unit_id=unit_id, title=t, body=b, category=c, priority=p, state=PUBLISHED)
        for t, b, c, p in BULLETINS
    ]
    rows.insert(1, power_cut_bulletin(unit_id, today))  # the second of the main loop and the LED's
    session.add_all(rows)
    session.flush()
    return [row.id or 0 for row in rows]


def _playlist(session: Session, unit_id: int, name: str, items: list[PlaylistItem]) -> int:
    playlist = Playlist(unit_id=unit_id, name=name, state=PUBLISHED)
    session.add(playlist)
    session.flush()
    for position, item in enumerate(items):
        item.playlist_id, item.position = playlist.id or 0, position
        session.add(item)
    return playlist.id or 0


def _schedules(
    session: Session, unit_id: int, boards: dict[str, int], media: list[int], bulletins: list[int]
) -> None:
    main = _playlist(
        session,
        unit_id,
        "Tin chính",
        [
            PlaylistItem(
                playlist_id=0,
                position=0,
                kind=ItemKind.IMAGE,
                media_id=media[0],
                duration_s=8,
                options={"fit": "cover"},
            ),
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[0], duration_s=12
            ),
            PlaylistItem(playlist_id=0, position=0, kind=ItemKind.IMAGE, media_id=media[1], duration_s=8),
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[1], duration_s=12
            ),
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[2], duration_s=12
            ),
            PlaylistItem(playlist_id=0, position=0, kind=ItemKind.IMAGE, media_id=media[2], duration_s=8),
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[3], duration_s=12
            ),
        ],
    )
    ticker = _playlist(
        session,
        unit_id,
        "Chữ chạy",
        [
            PlaylistItem(playlist_id=0, position=0, kind=ItemKind.TICKER, text=TICKER, duration_s=60),
        ],
    )
    clock = _playlist(
        session,
        unit_id,
        "Đồng hồ",
        [
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.CLOCK, duration_s=60, options={"format": "datetime"}
            ),
        ],
    )
    led = _playlist(
        session,
        unit_id,
        "Bảng LED",
        [
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[1], duration_s=10
            ),
            PlaylistItem(playlist_id=0, position=0, kind=ItemKind.IMAGE, media_id=media[0], duration_s=6),
        ],
    )
    plans = [
        (
            "Toàn tỉnh: tin chính",
            "main_ticker_clock",
            TargetKind.UNIT,
            unit_id,
            None,
            None,
            0,
            {"main": main, "ticker": ticker, "clock": clock},
        ),
        (
            "Bảng LED: tin ngắn",
            "led_lowres",
            TargetKind.TAG,
            None,
            None,
            "led",
            1,
            {"main": led, "ticker": ticker},
        ),
        (
            "Màn hình dọc",
            "portrait",
            TargetKind.BOARD,
            None,
            boards["portrait"],
            None,
            1,
            {"main": main, "ticker": ticker, "clock": clock},
        ),
    ]
    for name, layout, kind, unit, board, tag, priority, regions in plans:
        schedule = Schedule(
            unit_id=unit_id,
            name=name,
            layout_id=layout,
            target_kind=kind,
            target_unit_id=unit,
            target_board_id=board,
            target_tag=tag,
            priority=priority,
            state=PUBLISHED,
        )
        session.add(schedule)
        session.flush()
        for region_id, playlist_id in regions.items():
            session.add(
                ScheduleRegion(schedule_id=schedule.id or 0, region_id=region_id, playlist_id=playlist_id)
            )
    evening = Schedule(
        unit_id=unit_id,
        name="Buổi tối: an ninh trật tự",
        layout_id="fullscreen",
        target_kind=TargetKind.UNIT,
        target_unit_id=unit_id,
        daily_start=time(19, 0),
        daily_end=time(21, 0),
        priority=2,
        state=PUBLISHED,
    )
    session.add(evening)
    session.flush()
    security = _playlist(
        session,
        unit_id,
        "An ninh trật tự",
        [
            PlaylistItem(
                playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletins[2], duration_s=20
            ),
        ],
    )
    session.add(ScheduleRegion(schedule_id=evening.id or 0, region_id="main", playlist_id=security))


COMMUNE_BULLETIN = (
    "Lịch tiếp công dân của UBND xã",
    "Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở UBND xã.",
)


def _commune_schedule(session: Session, commune_id: int) -> None:
    """The commune's own all-day schedule: it shares the board's loop with the province's."""
    title, body = COMMUNE_BULLETIN
    bulletin = Bulletin(unit_id=commune_id, title=title, body=body, category=Category.POLICY_LAW,
                        priority=Priority.NORMAL, state=PUBLISHED)
    session.add(bulletin)
    session.flush()
    playlist = _playlist(session, commune_id, "Tin của xã", [
        PlaylistItem(playlist_id=0, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletin.id,
                     duration_s=15),
    ])
    schedule = Schedule(unit_id=commune_id, name="Xã: tin của xã", layout_id="fullscreen",
                        target_kind=TargetKind.UNIT, target_unit_id=commune_id, state=PUBLISHED)
    session.add(schedule)
    session.flush()
    session.add(ScheduleRegion(schedule_id=schedule.id or 0, region_id="main", playlist_id=playlist))
