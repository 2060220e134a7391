"""The central signage service: units, boards, content, schedules and signed manifests."""

__version__ = "0.1.0"
