"""Player updates through the device channel (an httpx MockTransport server): a signed release is
downloaded, checked and installed by real pip beside the running install and put on trial; an
unsigned, tampered, wrong-key or not-a-wheel release is refused with its reason and nothing is
installed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from nacl.signing import SigningKey

from player.core.releases import EXIT_SWITCH, Releases, Trial
from player.core.state import StateDir
from player.net.updater import Updater
from signage_contract.device import DeviceCredential
from signage_contract.release import (
    DEVICE_RELEASE,
    DEVICE_RELEASE_WHEEL,
    ReleaseCheck,
    ReleaseDescriptor,
    SignedRelease,
    sign_release,
)
from signage_contract.signing import encode_key, key_id
from tests.support.wheels import build_wheel

KEY = SigningKey.generate()


@pytest.fixture(scope="session")
def wheels(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("wheels")
    return {"0.2.0": build_wheel(out, "0.2.0").read_bytes(),
            "other": build_wheel(out, "0.2.0", name="not-signage").read_bytes()}


def descriptor(data: bytes, version: str = "0.2.0", board_id: str = "b1") -> ReleaseDescriptor:
    sha = hashlib.sha256(data).hexdigest()
    return ReleaseDescriptor(board_id=board_id, channel="pilot", version=version, sha256=sha, size=len(data),
                             url=DEVICE_RELEASE_WHEEL.format(sha256=sha), issued_at=datetime.now(UTC))


class Server:
    """The two device routes of releases: the offer and the wheel."""

    def __init__(self, offer: SignedRelease | None, wheel: bytes) -> None:
        self.offer, self.wheel = offer, wheel
        self.wheel_status = 200
        self.checks: list[ReleaseCheck] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer tok"
        if request.url.path == DEVICE_RELEASE:
            self.checks.append(ReleaseCheck.model_validate_json(request.content))
            if self.offer is None:
                return httpx.Response(204)
            return httpx.Response(200, content=self.offer.model_dump_json())
        if request.url.path.startswith(DEVICE_RELEASE_WHEEL.split("{")[0]):
            return httpx.Response(self.wheel_status, content=self.wheel)
        return httpx.Response(404)


def _updater(tmp_path: Path, server: Server, *, launched: bool = True) -> tuple[Updater, list[int]]:
    state = StateDir(tmp_path / "state")
    state.save_credential(DeviceCredential(board_id="b1", token="tok", key_id=key_id(KEY.verify_key),
                                           server_public_key=encode_key(KEY.verify_key)))
    restarts: list[int] = []
    client = httpx.Client(base_url="http://server", transport=httpx.MockTransport(server.handle))
    return Updater(state=state, client=client, running_version="0.1.0", restart=restarts.append,
                   frames_drawn=lambda: True, launched=launched), restarts


def _installed(tmp_path: Path) -> list[str]:
    root = tmp_path / "state" / "releases"
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and p.is_dir()) \
        if root.is_dir() else []


def test_a_signed_release_is_installed_beside_the_running_one_and_put_on_trial(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    server = Server(sign_release(KEY, descriptor(data)), data)
    updater, restarts = _updater(tmp_path, server)
    assert updater.check() == "switching to 0.2.0"
    releases = Releases(tmp_path / "state")
    init = releases.site("0.2.0") / "player" / "__init__.py"
    assert '__version__ = "0.2.0"' in init.read_text(encoding="utf-8")
    assert releases.pointer() == "0.2.0" and restarts == [EXIT_SWITCH]
    trial = releases.trial()
    assert trial is not None
    assert (trial.previous, trial.from_version, trial.to_version) == ("", "0.1.0", "0.2.0")
    assert server.checks[0].running_version == "0.1.0" and server.checks[0].last_update is None


def test_no_offer_and_the_running_version_install_nothing(tmp_path, wheels) -> None:
    updater, restarts = _updater(tmp_path, Server(None, b""))
    assert updater.check() == "no release offered"
    data = wheels["0.2.0"]
    same = descriptor(data, version="0.1.0")
    updater, restarts = _updater(tmp_path, Server(sign_release(KEY, same), data))
    assert updater.check() == "up to date"
    assert restarts == [] and _installed(tmp_path) == []


def _refused(tmp_path: Path, offer: SignedRelease, wheel: bytes) -> str:
    updater, restarts = _updater(tmp_path, Server(offer, wheel))
    outcome = updater.check()
    assert restarts == [] and _installed(tmp_path) == []
    assert Releases(tmp_path / "state").pointer() == ""
    report = Releases(tmp_path / "state").report()
    assert report is not None and report.outcome == "refused" and report.reason == outcome
    return outcome


def test_an_unsigned_release_is_refused(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    unsigned = SignedRelease(key_id="none", signature="", payload=descriptor(data).model_dump_json())
    assert "signature is not the server's" in _refused(tmp_path, unsigned, data)


def test_a_tampered_descriptor_is_refused(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    signed = sign_release(KEY, descriptor(data))
    payload = json.loads(signed.payload) | {"version": "0.3.0"}
    tampered = signed.model_copy(update={"payload": json.dumps(payload)})
    assert "signature is not the server's" in _refused(tmp_path, tampered, data)


def test_a_release_signed_with_another_key_is_refused(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    assert "signature is not the server's" in _refused(tmp_path, sign_release(SigningKey.generate(),
                                                                              descriptor(data)), data)


def test_a_wheel_that_is_not_the_one_signed_is_refused(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    signed = sign_release(KEY, descriptor(data))
    changed = data[:-1] + bytes([data[-1] ^ 1])
    assert "sha256 is not the one signed" in _refused(tmp_path, signed, changed)
    assert "larger than" in _refused(tmp_path / "2", signed, data + b"x")


def test_a_signed_file_that_is_not_a_wheel_of_signage_is_refused(tmp_path, wheels) -> None:
    junk = b"MZ not a zip at all"
    assert "not a wheel" in _refused(tmp_path, sign_release(KEY, descriptor(junk)), junk)
    other = wheels["other"]
    assert "not a release of signage" in _refused(tmp_path / "2", sign_release(KEY, descriptor(other)), other)
    data = wheels["0.2.0"]
    assert "the wheel is version 0.2.0" in _refused(
        tmp_path / "3", sign_release(KEY, descriptor(data, version="0.3.0")), data)


def test_a_release_for_another_board_is_refused(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    assert "for board b2" in _refused(tmp_path, sign_release(KEY, descriptor(data, board_id="b2")), data)


def test_a_player_not_started_by_the_launcher_installs_nothing(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    updater, restarts = _updater(tmp_path, Server(sign_release(KEY, descriptor(data)), data), launched=False)
    assert updater.check() == "not under the launcher"
    assert restarts == [] and _installed(tmp_path) == []


def test_a_release_that_failed_here_is_not_tried_again(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    updater, restarts = _updater(tmp_path, Server(None, b""))
    releases = Releases(tmp_path / "state")
    releases.switch_to(version="0.2.0", from_version="0.1.0")
    trial = releases.trial()
    assert trial is not None
    releases.roll_back(trial, reason="it exited", now=datetime.now(UTC))
    server = Server(sign_release(KEY, descriptor(data)), data)
    updater.client = httpx.Client(base_url="http://server", transport=httpx.MockTransport(server.handle))
    assert "already failed here" in updater.check()
    assert restarts == [] and releases.pointer() == ""
    (check,) = server.checks  # the failure travels with the check, for the panel
    assert check.last_update is not None and check.last_update.outcome == "rolled_back"


def test_a_release_on_trial_is_healthy_after_an_accepted_heartbeat_with_frames(tmp_path) -> None:
    updater, _ = _updater(tmp_path, Server(None, b""))
    releases = Releases(tmp_path / "state")
    updater.beat_accepted()
    assert releases.healthy() is None  # no trial: nothing to confirm
    releases.set_trial(Trial(previous="", from_version="0.0.9", to_version="0.1.0"))
    drawn = [False]
    updater.frames_drawn = lambda: drawn[0]
    updater.beat_accepted()
    assert releases.healthy() is None  # heartbeat accepted, but nothing drawn yet
    drawn[0] = True
    updater.beat_accepted()
    assert releases.healthy() == "0.1.0"


def test_a_wheel_the_server_cannot_send_now_is_fetched_again_at_the_next_check(tmp_path, wheels) -> None:
    data = wheels["0.2.0"]
    server = Server(sign_release(KEY, descriptor(data)), data)
    server.wheel_status = 503
    updater, restarts = _updater(tmp_path, server)
    assert updater.check() == "the wheel could not be fetched (HTTP 503)"
    assert restarts == [] and _installed(tmp_path) == [] and Releases(tmp_path / "state").report() is None
    server.wheel_status = 200
    assert updater.check() == "switching to 0.2.0" and restarts == [EXIT_SWITCH]
