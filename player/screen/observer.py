"""The frame loop's one hook for health: what is on screen goes to the play tracker, pixels to the
screenshot taker; both return at once, and a failure here never ends the show."""

from __future__ import annotations

import logging
from datetime import datetime

from ..core.playtrack import PlayTracker
from .compositor import Compositor
from .screenshots import ScreenshotTaker

log = logging.getLogger(__name__)


class FrameObserver:
    """The frame loop's hook: what is on screen goes to the play tracker, pixels to screenshots."""

    def __init__(self, tracker: PlayTracker, screenshots: ScreenshotTaker | None) -> None:
        self.tracker = tracker
        self.screenshots = screenshots
        self._failed = ""

    def __call__(self, compositor: Compositor, now: datetime) -> None:
        try:
            mode = compositor.mode[:1]
            showing = mode in (("regions",), ("override",))
            self.tracker.observe(compositor.frame if showing else None, now)
            if self.screenshots is not None and compositor.mode:
                self.screenshots.after_frame(compositor.display, now)  # as dimmed
        except Exception as exc:  # loop boundary: health must never end the show
            if repr(exc) != self._failed:
                log.exception("health hook failed")
            self._failed = repr(exc)
