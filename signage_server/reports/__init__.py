"""Proof of play and the summary reports built from it."""
