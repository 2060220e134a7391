"""Content routes: bulletins, media, playlists and their items, schedules, layouts, approvals."""
