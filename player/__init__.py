"""The board player: offline-first sync, a verified cache, and rendering (pygame)."""

__version__ = "0.1.0"
