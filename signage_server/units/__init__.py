"""Administrative units: the official list, effective-dated reorganisations, the in-memory tree."""
