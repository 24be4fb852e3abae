"""Search-index triggers are connected here (see docs/search.md)."""
