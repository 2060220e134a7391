"""``python -m player``: the same as ``signage-player``."""

from player.cli import main

raise SystemExit(main())
