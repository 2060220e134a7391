"""``make demo``: demo data and the two processes (``python -m signage_server.demo``)."""
