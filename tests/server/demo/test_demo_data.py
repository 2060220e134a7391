"""The demo seeds boards of several sizes whose manifests actually play content."""

from datetime import UTC, datetime, timedelta

from nacl.signing import SigningKey
from sqlmodel import Session, col, select

from signage_contract import ImageItem, Manifest, SignedManifest, TextItem
from signage_contract.signing import verify_manifest
from signage_contract.timezone import LOCAL_ZONE
from signage_server.core.bus import LocalBus
from signage_server.db import make_engine
from signage_server.demo.run import prepare
from signage_server.manifest.composer import Composer
from signage_server.models import Board, Bulletin
from signage_server.settings import Settings


def test_demo_boards_play_vietnamese_bulletins_and_images(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    site = prepare(settings)
    assert {u.username for u in site.users} == {"admin", "bientap", "pheduyet", "vanhanh", "chucuahang"}
    assert prepare(settings).users == []  # a second run adds nothing
    engine = make_engine(settings.resolved_database_url)
    key = SigningKey.generate()
    composer = Composer(engine, key, LocalBus(), 60, clock=lambda: datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    with Session(engine) as session:
        boards = session.exec(select(Board)).all()
        sizes = {(b.width, b.height) for b in boards}
        assert {(384, 192), (1920, 1080)} <= sizes
        categories = {b.category for b in session.exec(select(Bulletin))}
        assert len(categories) >= 4
        for board in boards:
            document = composer.current(session, board.id).document
            manifest = verify_manifest(
                SignedManifest.model_validate_json(document), key.verify_key, str(board.id)
            )
            assert manifest.timeline, board.name
            kinds = {type(item) for item in manifest.items}
            assert {TextItem, ImageItem} <= kinds, board.name
    engine.dispose()


def test_the_demo_power_cut_notice_is_dated_from_the_demo_start_and_gone_after_its_day(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    prepare(settings)
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        notice = session.exec(select(Bulletin).where(col(Bulletin.title).startswith("Lịch cắt điện"))).one()
        assert notice.valid_from is not None and notice.valid_until is not None
        cut_day = (notice.valid_until - timedelta(days=1)).astimezone(LOCAL_ZONE).date()
        assert notice.title == f"Lịch cắt điện ngày {cut_day.day}/{cut_day.month}"
        led = session.exec(select(Board).where(Board.width == 384)).one()

        def notices_at(instant: datetime) -> list[TextItem]:
            composer = Composer(engine, SigningKey.generate(), LocalBus(), 60, clock=lambda: instant)
            composer.recompose(session, [led.id])
            manifest = Manifest.model_validate_json(
                SignedManifest.model_validate_json(composer.current(session, led.id).document).payload)
            return [i for i in manifest.items if isinstance(i, TextItem) and i.title == notice.title]

        shown = notices_at(notice.valid_from + timedelta(hours=8))
        assert shown and all(item.valid_until == notice.valid_until for item in shown)
        assert notices_at(notice.valid_until + timedelta(minutes=1)) == []
    engine.dispose()
