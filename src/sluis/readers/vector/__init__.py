"""Vector readers: a dataset (GDAL formats, shapefile parts, CSV) into ``FeatureBatch``es."""
