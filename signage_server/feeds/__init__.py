"""RSS and Atom feeds polled into ticker or bulletin items (``service``: the feeds themselves;
``fetch``: the bounded HTTP fetch; ``parse``: the document to plain entries; ``ingest``: entries to
content through the content services; ``poller``: the lifespan task)."""
