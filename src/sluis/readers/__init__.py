"""The format readers, one subpackage per kind (``timeseries``, ``vector``, ``raster``,
``files``), plus ``gdal`` (the only module opening files with GDAL) and ``timestamps``. No Django:
readers get paths and ingest settings in and give plain records and ``Problem``s out."""
