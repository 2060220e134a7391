"""Pixels, on the main thread: compositor, frame loop, renderers by item kind, fonts, images."""
