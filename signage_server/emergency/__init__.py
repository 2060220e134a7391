"""Emergency overrides: their life, which boards they cover, receipts, the report section,
and their sources."""
