"""Boards' devices: credentials and the connection hub that sends them messages."""
