"""The web control panel: server-rendered pages (Jinja2, htmx) under /panel, Vietnamese by default.

``mount(app)`` is the single entry point ``create_app`` calls. Each page lives in its own module
and calls the same functions the JSON API routes call, so scope and validation stay in one place.
"""

from __future__ import annotations

from signage_server.web.panel.pages import mount

__all__ = ["mount"]
