"""Board health: heartbeats, the link state, uptime, screenshots, the monitor and its webhook."""
