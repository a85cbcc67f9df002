"""Maintenance: the retention purge, the storage sweep, vector version upkeep
(docs/operations.md)."""
