"""Export and import of one data source as a self-describing ZIP archive (docs/formats/export.md).

``services.source_export`` streams a data source's catalogue entry and stored data into an
archive; ``services.source_import`` creates a new data source from one, all or nothing.
"""
