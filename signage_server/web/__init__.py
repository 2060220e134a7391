"""The HTTP edge: the JSON API (``api``), the web panel (``panel``), dependency aliases, error mapping."""
