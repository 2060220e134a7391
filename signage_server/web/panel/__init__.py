"""The web control panel: server-rendered pages (Jinja2, htmx) under /panel, Vietnamese by default.

``mount.mount(app)`` is the single entry point ``create_app`` calls. Each page lives in its own
module under ``routes/`` and calls the same domain services the JSON API routes call, so scope and
validation stay in one place. ``pages.py`` renders; it imports no page module.
"""
