"""One module per kind: reads the members with the format readers, writes with bulk statements,
and registers its ``KindProcessor`` (see ``sluis.ingest.contracts``). Imported at app start."""

from sluis.ingest.writers import (
    files,  # noqa: F401
    raster,  # noqa: F401
    timeseries,  # noqa: F401
    vector,  # noqa: F401
)
