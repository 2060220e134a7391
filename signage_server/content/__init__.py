"""Content: bulletins, media, playlists and their approval workflow; layouts and their templates."""
