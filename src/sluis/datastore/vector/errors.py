"""Errors of the vector read-back API."""

from sluis.errors import NotFound, SluisError


class FeatureNotFound(NotFound):
    code = "feature_not_found"
    default_detail = "No current feature with that id is readable by you."


class VersionNotFound(NotFound):
    code = "vector_version_not_found"
    default_detail = "The data source has no such vector version."


class VersionNotRestorable(SluisError):
    status_code = 409
    code = "vector_version_not_restorable"
    default_detail = "Only a retired (kept) vector version can be restored."


class PostgisUnavailable(SluisError):
    status_code = 501
    code = "postgis_unavailable"
    default_detail = (
        "PostGIS views need Sluis on PostgreSQL; the embedded SQLite database has no PostGIS."
    )


class PostgisRoleNotFound(SluisError):
    code = "postgis_role_not_found"
    default_detail = "PostgreSQL has no such role; create the read-only role first."


class TilesUnavailable(SluisError):
    status_code = 501
    code = "tiles_unavailable"
    default_detail = (
        "Vector tiles are made by PostGIS (ST_AsMVT) and need Sluis on PostgreSQL; the embedded "
        "SQLite database does not offer them. Use /features/ with bbox instead."
    )
