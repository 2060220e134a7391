"""End-to-end tests: real player and server processes (all marked slow by conftest.py)."""
