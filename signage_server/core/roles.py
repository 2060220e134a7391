"""Who may do what: the role sets every route and page checks, declared once."""

from __future__ import annotations

from signage_server.models import Role

ADMINS = frozenset({Role.ADMIN})
EDITORS = frozenset({Role.ADMIN, Role.EDITOR})
"""Write content (bulletins, media, playlists, schedules) of their unit's subtree."""
REVIEWERS = frozenset({Role.ADMIN, Role.APPROVER})
"""Decide on submitted content; read the audit trail."""
OPERATORS = frozenset({Role.ADMIN, Role.OPERATOR})
"""Run boards: pairing, screenshots, emergency overrides."""

OWNERS = frozenset({Role.OWNER})
"""A requisitioned board's owner: their own content on that board only (``content/owner_content``)."""
REQUISITIONERS = frozenset({Role.ADMIN, Role.APPROVER})
"""Agree a requisitioned board's windows with its owner (the board's unit)."""


def describe(roles: frozenset[Role]) -> str:
    """``admin, editor``: the roles' names, sorted, for messages that say who may act."""
    return ", ".join(sorted(role.value for role in roles))
