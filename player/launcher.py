"""``python -m player.launcher [player arguments]``: what the service runs, so updates can roll back.

It starts the release the pointer names (``core/releases.py``: an installed release with
``PYTHONPATH`` on its ``site`` and ``-P``, so neither the working directory nor the base install
shadows it; or the base install itself) as a child process with the same arguments. A release on
trial must write ``healthy`` within the trial (120 s): if it exits first or the time runs out, the
launcher stops it, points back to the previous release, records the failure (the player reports it
with its next release check) and starts the previous one. A child that exits with ``EXIT_SWITCH``
(it installed a release and put it on trial) is started again at once; any other exit ends the
launcher with the child's status, for the service manager to restart as before. The launcher
itself is the base install's and never changes with an update.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from .core.releases import BASE, EXIT_SWITCH, TRIAL_S, Releases, Trial, start_plan, watch

log = logging.getLogger("player.launcher")
ENV_LAUNCHED = "SIGNAGE_PLAYER_LAUNCHER"  # set for the child: updates are applied only under the launcher
ENV_TRIAL_S = "SIGNAGE_UPDATE_TRIAL_S"  # the trial's length (tests shorten it)
POLL_S = 0.25
STOP_WAIT_S = 20.0


def state_dir_of(argv: list[str]) -> Path:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--state-dir", type=Path, default=None)
    known, _ = parser.parse_known_args(argv)
    if known.state_dir is not None:
        return Path(known.state_dir)
    from .cli import default_state_dir

    return default_state_dir()


def child_command(releases: Releases, pointer: str, argv: list[str]) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, ENV_LAUNCHED: "1"}
    if pointer == BASE:
        return [sys.executable, "-m", "player", *argv], env
    paths = [str(releases.site(pointer)), *filter(None, [os.environ.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return [sys.executable, "-P", "-m", "player", *argv], env


class Launcher:
    def __init__(self, argv: list[str], *, trial_s: float = TRIAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.argv = argv
        self.releases = Releases(state_dir_of(argv))
        self.trial_s = trial_s
        self.clock = clock
        self.stopping = False
        self.child: subprocess.Popen[bytes] | None = None

    def stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def run(self) -> int:
        while True:
            pointer, trial = self._plan()
            command, env = child_command(self.releases, pointer, self.argv)
            log.info("starting the player (%s)", pointer or "base install")
            self.child = subprocess.Popen(command, env=env)
            if trial is not None and not self._trial_passed(self.child, trial):
                continue
            code = self.child.wait()
            if code != EXIT_SWITCH or self.stopping:
                return code

    def _plan(self) -> tuple[str, Trial | None]:
        releases = self.releases
        current, trial = releases.pointer(), releases.trial()
        plan = start_plan(current, trial, releases.healthy())
        now = datetime.now(UTC)
        if plan.rolled_back is not None:
            releases.roll_back(plan.rolled_back, now=now,
                               reason=f"it never reported healthy in {plan.rolled_back.starts} starts")
        elif plan.trial is not None:
            releases.set_trial(plan.trial)
        elif trial is not None:
            if trial.to_version == current:  # proven healthy before a restart of the launcher
                releases.confirm(trial, now=now)
            else:  # a trial left by a cut between writing it and the pointer: nothing was switched
                releases.set_trial(None)
        return plan.pointer, plan.trial

    def _trial_passed(self, child: subprocess.Popen[bytes], trial: Trial) -> bool:
        """Watch a release on trial; False when it was rolled back (the previous one starts next)."""
        started = self.clock()
        while True:
            code = child.poll()
            verdict = watch(started_at=started, now=self.clock(), trial_s=self.trial_s,
                            healthy=self.releases.healthy() == trial.to_version, exited=code is not None)
            if verdict == "healthy":
                log.info("release %s reported healthy: it stays", trial.to_version)
                self.releases.confirm(trial, now=datetime.now(UTC))
                return True
            if verdict == "roll_back":
                if self.stopping:  # stopped by the service manager during the trial: decide next start
                    return True
                reason = (f"it exited with status {code} before reporting healthy" if code is not None
                          else f"it did not report healthy within {self.trial_s:.0f} s")
                self._end(child)
                log.error("release %s rolled back to %s: %s", trial.to_version,
                          trial.previous or "the base install", reason)
                self.releases.roll_back(trial, reason=reason, now=datetime.now(UTC))
                return False
            time.sleep(POLL_S)  # a child process and a file: nothing to await

    def _end(self, child: subprocess.Popen[bytes]) -> None:
        if child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    trial_s = float(os.environ.get(ENV_TRIAL_S) or TRIAL_S)
    launcher = Launcher(list(sys.argv[1:] if argv is None else argv), trial_s=trial_s)
    signal.signal(signal.SIGTERM, launcher.stop)
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, launcher.stop)
    return launcher.run()


if __name__ == "__main__":
    raise SystemExit(main())
