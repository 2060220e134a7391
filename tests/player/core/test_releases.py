"""The launcher's decisions (pure, an explicit clock) and the releases directory's files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from player.core.releases import MAX_TRIAL_STARTS, Releases, Trial, start_plan, watch

TRIAL = Trial(previous="", from_version="0.1.0", to_version="0.2.0")


def test_without_a_trial_the_pointer_starts() -> None:
    assert start_plan("0.2.0", None, None).pointer == "0.2.0"
    assert start_plan("", None, "0.2.0").trial is None


def test_a_trial_counts_its_starts_then_rolls_back() -> None:
    plan = start_plan("0.2.0", TRIAL, None)
    assert plan.pointer == "0.2.0" and plan.trial is not None and plan.trial.starts == 1
    spent = TRIAL.model_copy(update={"starts": MAX_TRIAL_STARTS})
    plan = start_plan("0.2.0", spent, None)
    assert plan.pointer == "" and plan.trial is None and plan.rolled_back == spent


def test_a_trial_proven_healthy_or_for_another_pointer_is_no_trial() -> None:
    assert start_plan("0.2.0", TRIAL, "0.2.0").trial is None
    assert start_plan("", TRIAL, None).trial is None  # a cut before the pointer moved


@pytest.mark.parametrize(("now", "healthy", "exited", "verdict"), [
    (10.0, False, False, "wait"),
    (10.0, True, False, "healthy"),
    (10.0, False, True, "roll_back"),  # it died before proving itself
    (119.9, False, False, "wait"),
    (120.0, False, False, "roll_back"),  # the trial ran out
    (120.0, True, False, "healthy"),
])
def test_watch_a_release_on_trial(now, healthy, exited, verdict) -> None:
    assert watch(started_at=0.0, now=now, trial_s=120.0, healthy=healthy, exited=exited) == verdict


def test_switch_roll_back_and_confirm_write_pointer_trial_and_report(tmp_path) -> None:
    releases = Releases(tmp_path)
    releases.site("0.2.0").mkdir(parents=True)
    releases.switch_to(version="0.2.0", from_version="0.1.0")
    assert releases.pointer() == "0.2.0" and releases.trial() == TRIAL
    trial = releases.trial()
    assert trial is not None
    releases.roll_back(trial, reason="it exited with status 1", now=datetime(2026, 12, 1, tzinfo=UTC))
    report = releases.report()
    assert releases.pointer() == "" and releases.trial() is None
    assert report is not None and (report.outcome, report.to_version) == ("rolled_back", "0.2.0")
    releases.switch_to(version="0.2.0", from_version="0.1.0")
    releases.site("0.1.5").mkdir(parents=True)
    releases.confirm(TRIAL, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert releases.pointer() == "0.2.0" and releases.report().outcome == "installed"  # type: ignore[union-attr]
    assert not releases.site("0.1.5").exists()  # only the running release and the one to go back to stay


def test_a_pointer_to_nothing_installed_runs_the_base_install(tmp_path) -> None:
    releases = Releases(tmp_path)
    releases.set_pointer("9.9.9")
    assert releases.pointer() == ""
    with pytest.raises(ValueError):
        releases.site("../escape")
