"""Remote care on the player: the bounded log file and its tail, masked secrets, the care commands
(restart, reboot only where the config allows it, log level), and what the heartbeat tells."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from player.core import care
from player.core.config import load_config
from signage_contract.device import LOG_LINE_MAX_CHARS, CareCommand, LogsRequest


@pytest.fixture
def log_file(tmp_path: Path):
    handler = care.install_log_file(tmp_path, max_bytes=2000, backups=2)
    logger = logging.getLogger("player.care-test")
    logger.setLevel(logging.INFO)
    yield logger
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_the_log_file_is_bounded_and_its_tail_is_the_newest_lines(tmp_path, log_file) -> None:
    for i in range(500):
        log_file.info("line %03d", i)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["player.log", "player.log.1", "player.log.2"]
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 3 * 2000
    tail = care.tail_lines(tmp_path, 5)
    assert [line[-8:] for line in tail] == [f"line {i:03d}" for i in range(495, 500)]


def test_secrets_never_reach_the_log_or_a_fetched_tail(tmp_path, log_file) -> None:
    log_file.warning("request failed: Authorization: Bearer s3cr3t-T0KEN with token=abc.def")
    with (tmp_path / "player.log").open("a") as handle:
        handle.write("x" * 5000 + "\n")
    text = (tmp_path / "player.log").read_text()
    assert "s3cr3t" not in text and "abc.def" not in text and "Bearer ***" in text
    tail = care.tail_lines(tmp_path, 10)
    assert len(tail[-1]) == LOG_LINE_MAX_CHARS


def _desk(tmp_path: Path, **kw):
    calls: dict[str, list] = {"restart": [], "run": [], "upload": []}
    desk = care.CareDesk(log_root=tmp_path, restart=calls["restart"].append,
                         upload_logs=lambda rid, lines: calls["upload"].append((rid, lines)),
                         run=calls["run"].append, **kw)
    return desk, calls


def test_restart_stops_with_the_status_the_service_restarts(tmp_path) -> None:
    desk, calls = _desk(tmp_path)
    desk.handle(CareCommand(action="restart"))
    assert calls["restart"] == [care.EXIT_RESTART]


def test_reboot_only_where_the_players_config_allows_it(tmp_path, caplog) -> None:
    refused, calls = _desk(tmp_path)
    refused.handle(CareCommand(action="reboot"))
    assert calls["run"] == [] and "allow_reboot" in caplog.text
    allowed, calls = _desk(tmp_path, allow_reboot=True, reboot_command=["fake-reboot", "now"])
    allowed.handle(CareCommand(action="reboot"))
    assert calls["run"] == [["fake-reboot", "now"]]


def test_config_file_decides_reboot(tmp_path) -> None:
    assert load_config(tmp_path / "missing.toml").allow_reboot is False
    path = tmp_path / "player.toml"
    path.write_text('[care]\nallow_reboot = true\nreboot_command = ["sudo", "reboot"]\n')
    config = load_config(path)
    assert config.allow_reboot and config.reboot_command == ["sudo", "reboot"]


def test_log_level_changes_at_run_time(tmp_path) -> None:
    root = logging.getLogger()
    before = root.level
    try:
        desk, _ = _desk(tmp_path)
        desk.handle(CareCommand(action="log_level", level="DEBUG"))
        assert care.current_level() == "DEBUG"
    finally:
        root.setLevel(before)


def test_a_logs_request_uploads_the_tail(tmp_path, log_file) -> None:
    log_file.info("hello from the board")
    desk, calls = _desk(tmp_path)
    desk.handle(LogsRequest(request_id="r1", lines=3), wait=True)
    (rid, lines), = calls["upload"]
    assert rid == "r1" and lines[-1].endswith("hello from the board")


def test_temperature_is_the_hottest_zone_or_none(tmp_path) -> None:
    assert care.temperature_c(tmp_path / "none") is None
    for name, milli in (("thermal_zone0", "41500"), ("thermal_zone1", "57250"), ("thermal_zone2", "x")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "temp").write_text(milli)
    assert care.temperature_c(tmp_path) == pytest.approx(57.2, abs=0.1)
