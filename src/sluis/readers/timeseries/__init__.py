"""Timeseries readers: CSV, JSON and PI-XML into ``RawBatch`` columns (``batch``)."""
