"""Errors of the vector read-back API."""

from sluis.errors import NotFound


class VectorDataSourceNotFound(NotFound):
    code = "data_source_not_found"
    default_detail = "No vector data source with that id is readable by you."


class FeatureNotFound(NotFound):
    code = "feature_not_found"
    default_detail = "No current feature with that id is readable by you."
