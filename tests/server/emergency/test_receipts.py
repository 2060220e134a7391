"""Receipts: acks written in batches keep the earliest time of each stage; displayed implies received;
acks naming unknown overrides are dropped without failing the batch."""

from datetime import UTC, datetime, timedelta

from signage_contract.device import OverrideAck
from signage_server.emergency.receipts import ReceiptRecorder
from signage_server.models import OverrideReceipt
from tests.support.overrides import issue_and_confirm

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # device clocks ahead are clamped


def ack(override_id: str, stage: str, minutes: int) -> OverrideAck:
    return OverrideAck(override_id=override_id, stage=stage, at=T0 + timedelta(minutes=minutes))


def test_batches_merge_into_the_earliest_time_per_stage(client, session, users, make_board) -> None:
    board = make_board()
    override_id = str(issue_and_confirm(client, users["operator_a"].headers)["id"])
    recorder = ReceiptRecorder(client.app.state.engine)
    recorder.write([(board.id, ack(override_id, "displayed", 5)),
                    (board.id, ack("999999", "received", 0)), (board.id, ack("not-ours", "received", 0))])
    recorder.write([(board.id, ack(override_id, "received", 1)),
                    (board.id, ack(override_id, "displayed", 9))])
    row = session.get(OverrideReceipt, (int(override_id), board.id))
    assert (row.received_at, row.displayed_at) == (T0 + timedelta(minutes=1), T0 + timedelta(minutes=5))
