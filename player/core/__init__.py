"""The pure core and the local state: timeline, play tracking, the state directory, the media cache."""
