"""Raster readers: GeoTIFF, NetCDF and ASCII grid frames planned and written as COGs."""
