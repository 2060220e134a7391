"""Installed player releases beside the running one, the pointer to the one to run, and the trial.

``<state>/releases/`` holds one directory per installed release (``<version>/site``, made by
``pip install --target``; the running install is never touched), ``current`` (the version the
launcher starts; absent: the base install the service was set up with), ``trial.json`` (a release
just switched to, not yet proven healthy: the version to go back to and how many starts it had),
``healthy`` (written by the new release once a heartbeat was accepted and frames were drawn) and
``report.json`` (the last update attempt, sent with each release check).

The decisions are pure functions of these facts and an explicit time (``start_plan``, ``watch``);
``player/launcher.py`` applies them to a real child process.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from signage_contract.files import atomic_write, private_dir
from signage_contract.manifest import WireModel
from signage_contract.release import VERSION_PATTERN, UpdateReport

log = logging.getLogger(__name__)
TRIAL_S = 120.0  # a new release that has not reported healthy by then is rolled back
MAX_TRIAL_STARTS = 2  # one power cut during a trial is forgiven; a release that keeps dying is not
BASE = ""  # the pointer value of the base install
EXIT_SWITCH = 76  # the player installed a release and put it on trial: the launcher starts again now


class Trial(WireModel):
    previous: str  # the pointer to go back to (BASE: the base install)
    from_version: str
    to_version: str
    starts: int = 0


@dataclass(frozen=True)
class StartPlan:
    """Which release to start, whether it is on trial, and the rollback done first (if any)."""

    pointer: str
    trial: Trial | None
    rolled_back: Trial | None = None


def start_plan(pointer: str, trial: Trial | None, healthy: str | None) -> StartPlan:
    """What the launcher starts next. A trial whose release already reported healthy is over; one
    that has used its starts is rolled back to its previous pointer."""
    if trial is None or trial.to_version != pointer:
        return StartPlan(pointer, None)
    if healthy == trial.to_version:
        return StartPlan(pointer, None)
    if trial.starts >= MAX_TRIAL_STARTS:
        return StartPlan(trial.previous, None, rolled_back=trial)
    return StartPlan(pointer, trial.model_copy(update={"starts": trial.starts + 1}))


Watch = Literal["wait", "healthy", "roll_back"]


def watch(*, started_at: float, now: float, trial_s: float, healthy: bool, exited: bool) -> Watch:
    """While a release is on trial: healthy once it says so; rolled back when it exits first or the
    trial time runs out."""
    if healthy:
        return "healthy"
    if exited or now - started_at >= trial_s:
        return "roll_back"
    return "wait"


class Releases:
    """The files of ``<state>/releases``."""

    def __init__(self, state_root: Path) -> None:
        self.root = state_root / "releases"

    def ensure(self) -> Path:
        return private_dir(self.root)

    def site(self, version: str) -> Path:
        if not VERSION_PATTERN.fullmatch(version):
            raise ValueError(f"not a release version: {version!r}")
        return self.root / version / "site"

    def installed(self, version: str) -> bool:
        return self.site(version).is_dir()

    def pointer(self) -> str:
        try:
            text = (self.root / "current").read_text(encoding="utf-8").strip()
        except OSError:
            return BASE
        if text and not (VERSION_PATTERN.fullmatch(text) and self.installed(text)):
            log.error("release pointer %r names no installed release; the base install runs", text)
            return BASE
        return text

    def set_pointer(self, pointer: str) -> None:
        self.ensure()
        atomic_write(self.root / "current", pointer.encode("utf-8"))

    def trial(self) -> Trial | None:
        try:
            return Trial.model_validate_json((self.root / "trial.json").read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def set_trial(self, trial: Trial | None) -> None:
        if trial is None:
            (self.root / "trial.json").unlink(missing_ok=True)
            return
        self.ensure()
        atomic_write(self.root / "trial.json", trial.model_dump_json().encode("utf-8"))

    def healthy(self) -> str | None:
        try:
            return (self.root / "healthy").read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def mark_healthy(self, version: str) -> None:
        self.ensure()
        atomic_write(self.root / "healthy", version.encode("utf-8"))

    def clear_healthy(self) -> None:
        (self.root / "healthy").unlink(missing_ok=True)

    def report(self) -> UpdateReport | None:
        try:
            return UpdateReport.model_validate_json((self.root / "report.json").read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def set_report(self, report: UpdateReport) -> None:
        self.ensure()
        atomic_write(self.root / "report.json", report.model_dump_json().encode("utf-8"))

    def switch_to(self, *, version: str, from_version: str) -> None:
        """Put an installed release on trial: the trial first, then the pointer (a power cut between
        the two leaves the old pointer and a trial that names another version: ignored)."""
        self.clear_healthy()
        self.set_trial(Trial(previous=self.pointer(), from_version=from_version, to_version=version))
        self.set_pointer(version)

    def roll_back(self, trial: Trial, *, reason: str, now: datetime) -> None:
        self.set_pointer(trial.previous)
        self.set_trial(None)
        self.set_report(UpdateReport(from_version=trial.from_version, to_version=trial.to_version,
                                     outcome="rolled_back", reason=reason, at=now))

    def confirm(self, trial: Trial, *, now: datetime) -> None:
        self.set_trial(None)
        self.set_report(UpdateReport(from_version=trial.from_version, to_version=trial.to_version,
                                     outcome="installed", at=now))
        self.prune(keep={trial.to_version, trial.previous})

    def prune(self, keep: set[str]) -> None:
        """Remove installed releases other than ``keep`` (the running one and the one to go back to)."""
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
