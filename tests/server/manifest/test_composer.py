"""The composer's store: concurrent composition of the same board never fails a request."""

from nacl.signing import SigningKey
from sqlmodel import select

from signage_server.core.bus import LocalBus
from signage_server.manifest.composer import Composer
from signage_server.models import ComposedManifest


class _ReadBeforeTheOtherInsert(Composer):
    """Sees no stored row on its first look, as a request does when another stores it just after."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.looks = 0

    def _stored_versions(self, session, board_ids):
        self.looks += 1
        return {} if self.looks == 1 else super()._stored_versions(session, board_ids)


def test_a_board_stored_concurrently_is_written_over_not_a_conflict(app, session, make_board) -> None:
    board = make_board()
    key = SigningKey.generate()
    Composer(app.state.engine, key, LocalBus(), 60).recompose(session, [board.id])
    late = _ReadBeforeTheOtherInsert(app.state.engine, key, LocalBus(), 60)
    late.recompose(session, [board.id])
    assert late.looks == 2
    assert len(session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board.id)).all()) == 1
