"""Player updates: the release the server offers, checked, installed beside this one, switched to.

Every ``CHECK_INTERVAL_S`` (and at start) the board posts a ``ReleaseCheck`` (its version and its
last update attempt) to ``DEVICE_RELEASE``; the answer is a ``SignedRelease`` or 204. A release
for another version is verified with the key pinned at pairing, its wheel downloaded over the
board's authenticated channel into the releases directory, checked (size, sha256, a wheel of
signage of that very version), installed with ``pip install --no-deps --target`` beside the running
install, put on trial (``core/releases.py``) and the player exits with ``EXIT_SWITCH`` for the
launcher to start it. Anything refused is logged with its reason, reported, and nothing is
installed. Once this player runs a release on trial, its first accepted heartbeat after frames were
drawn marks it healthy (``beat_accepted``); the launcher does the rest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import ValidationError

from signage_contract.release import (
    DEVICE_RELEASE,
    DEVICE_RELEASE_WHEEL,
    PROJECT_NAME,
    ReleaseCheck,
    ReleaseDescriptor,
    ReleaseRejected,
    SignedRelease,
    UpdateReport,
    verify_release,
    wheel_identity,
)

from ..core.releases import EXIT_SWITCH, Releases
from ..core.state import StateDir

log = logging.getLogger(__name__)
CHECK_INTERVAL_S = 600.0
INSTALL_TIMEOUT_S = 300.0
CHUNK_BYTES = 1 << 16
NETWORK_ERRORS = (httpx.HTTPError, OSError)


class DownloadFailed(Exception):
    """The wheel could not be fetched this time (the server answered with an error): tried again at
    the next check, unlike a refusal."""


def pip_install(wheel: Path, target: Path, python: str = sys.executable) -> None:
    """Install ``wheel`` alone into ``target`` (its dependencies are the running install's)."""
    done = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
         "--no-warn-script-location", "--target", str(target), str(wheel)],
        capture_output=True, text=True, check=False, timeout=INSTALL_TIMEOUT_S)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ReleaseRejected(f"pip could not install the wheel: {' / '.join(tail)}")


class Updater:
    def __init__(self, *, state: StateDir, client: httpx.Client, running_version: str,
                 restart: Callable[[int], None], frames_drawn: Callable[[], bool],
                 launched: bool | None = None,
                 install: Callable[[Path, Path], None] = pip_install) -> None:
        self.state, self.client = state, client
        self.releases = Releases(state.root)
        self.running_version = running_version
        self.restart = restart
        self.frames_drawn = frames_drawn
        self.launched = launched if launched is not None else bool(os.environ.get("SIGNAGE_PLAYER_LAUNCHER"))
        self.install = install
        self._said = ""

    def _headers(self) -> dict[str, str] | None:
        credential = self.state.load_credential()
        return None if credential is None else {"Authorization": f"Bearer {credential.token}"}

    def _say_once(self, level: int, message: str) -> None:
        if message != self._said:
            log.log(level, "%s", message)
        self._said = message

    # --- the check -------------------------------------------------------------------------------
    def check(self) -> str:
        """One release check; returns what happened, in words (for logs and tests)."""
        headers = self._headers()
        if headers is None:
            return "not paired"
        body = ReleaseCheck(running_version=self.running_version, last_update=self.releases.report())
        response = self.client.post(DEVICE_RELEASE, content=body.model_dump_json(),
                                    headers={**headers, "Content-Type": "application/json"})
        if response.status_code == 204:
            return "no release offered"
        response.raise_for_status()
        try:
            signed = SignedRelease.model_validate_json(response.content)
        except ValidationError:
            return self._refused("", "release refused: the server's answer is not a signed release")
        return self.consider(signed, headers)

    def consider(self, signed: SignedRelease, headers: dict[str, str]) -> str:
        credential, key = self.state.load_credential(), self.state.verify_key()
        if credential is None or key is None:
            return "not paired"
        try:
            descriptor = verify_release(signed, key, credential.board_id)
        except ReleaseRejected as exc:
            return self._refused("", str(exc))
        if descriptor.version == self.running_version:
            return "up to date"
        last = self.releases.report()
        if last is not None and last.to_version == descriptor.version and last.outcome != "installed":
            return f"release {descriptor.version} already failed here ({last.outcome}); not tried again"
        if not self.launched:
            self._say_once(logging.WARNING, f"release {descriptor.version} offered, but this player was not "
                                            "started by its launcher (install-service again to get updates)")
            return "not under the launcher"
        try:
            self._install(descriptor, headers)
        except ReleaseRejected as exc:
            return self._refused(descriptor.version, str(exc))
        except DownloadFailed as exc:
            self._say_once(logging.WARNING, f"release {descriptor.version} not installed yet: {exc}")
            return str(exc)
        log.warning("release %s installed beside %s; restarting into it", descriptor.version,
                    self.running_version)
        self.releases.switch_to(version=descriptor.version, from_version=self.running_version)
        self.restart(EXIT_SWITCH)
        return f"switching to {descriptor.version}"

    def _refused(self, version: str, reason: str) -> str:
        self._say_once(logging.ERROR, f"update refused, nothing installed: {reason}")
        self.releases.set_report(UpdateReport(from_version=self.running_version, to_version=version,
                                              outcome="refused", reason=reason[:500], at=datetime.now(UTC)))
        return reason

    # --- download, checks, install -------------------------------------------------------------
    def _install(self, descriptor: ReleaseDescriptor, headers: dict[str, str]) -> None:
        if descriptor.url != DEVICE_RELEASE_WHEEL.format(sha256=descriptor.sha256):
            raise ReleaseRejected(f"release refused: it points outside the device channel ({descriptor.url})")
        root = self.releases.ensure()
        with tempfile.TemporaryDirectory(dir=root, prefix=".download-") as temp:
            wheel = Path(temp) / f"{PROJECT_NAME}-{descriptor.version}-py3-none-any.whl"
            self._download(descriptor, headers, wheel)
            _, version = wheel_identity(str(wheel))
            if version != descriptor.version:
                raise ReleaseRejected(f"release refused: the wheel is version {version}, the descriptor "
                                      f"says {descriptor.version}")
            staging = Path(temp) / "release"
            self.install(wheel, staging / "site")
            final = self.releases.site(descriptor.version).parent
            if final.exists():
                shutil.rmtree(final)
            os.replace(staging, final)

    def _download(self, descriptor: ReleaseDescriptor, headers: dict[str, str], out: Path) -> None:
        digest, size = hashlib.sha256(), 0
        with self.client.stream("GET", descriptor.url, headers=headers) as response, out.open("wb") as handle:
            if response.status_code != 200:
                raise DownloadFailed(f"the wheel could not be fetched (HTTP {response.status_code})")
            for chunk in response.iter_bytes(CHUNK_BYTES):
                size += len(chunk)
                if size > descriptor.size:
                    raise ReleaseRejected(f"release refused: the wheel is larger than the {descriptor.size} "
                                          "bytes signed for it")
                digest.update(chunk)
                handle.write(chunk)
        if size != descriptor.size:
            raise ReleaseRejected(f"release refused: the wheel has {size} bytes, "
                                  f"{descriptor.size} were signed")
        if digest.hexdigest() != descriptor.sha256:
            raise ReleaseRejected("release refused: the wheel's sha256 is not the one signed (tampered)")

    # --- the trial ------------------------------------------------------------------------------
    def beat_accepted(self) -> None:
        """A heartbeat was accepted: a release on trial that has drawn frames is healthy."""
        trial = self.releases.trial()
        if trial is None or trial.to_version != self.running_version or not self.frames_drawn():
            return
        if self.releases.healthy() != self.running_version:
            log.info("release %s reports healthy", self.running_version)
            self.releases.mark_healthy(self.running_version)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                outcome = self.check()
                log.debug("release check: %s", outcome)
            except (*NETWORK_ERRORS, ValidationError) as exc:
                log.debug("release check not done (%s)", exc)
            except Exception:  # loop boundary
                log.exception("release check failed")
            stop.wait(CHECK_INTERVAL_S)
