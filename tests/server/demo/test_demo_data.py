"""The demo seeds boards of several sizes whose manifests actually play content."""

from datetime import UTC, datetime

from nacl.signing import SigningKey
from sqlmodel import Session, select

from signage_contract import ImageItem, SignedManifest, TextItem
from signage_contract.signing import verify_manifest
from signage_server.core.bus import LocalBus
from signage_server.db import make_engine
from signage_server.demo.run import prepare
from signage_server.manifest.composer import Composer
from signage_server.models import Board, Bulletin
from signage_server.settings import Settings


def test_demo_boards_play_vietnamese_bulletins_and_images(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    site = prepare(settings)
    assert {u.username for u in site.users} == {"admin", "bientap", "pheduyet", "vanhanh"}
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
