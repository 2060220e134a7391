"""The network edge, on background threads: sync, the device socket, override routing, health."""
