"""Errors of the OGC services (OGC API - Features, WFS, WMS)."""

from sluis.errors import InvalidParameter, NotFound


class CollectionNotFound(NotFound):
    code = "collection_not_found"
    default_detail = "No vector data source with that id or alias is readable by you."


class LayerNotFound(NotFound):
    code = "layer_not_found"
    default_detail = "No raster data source with that id or alias is readable by you."


class ItemNotFound(NotFound):
    code = "feature_not_found"
    default_detail = "No current feature with that id in this collection is readable by you."


class UnsupportedCrs(InvalidParameter):
    code = "unsupported_crs"
    default_detail = "The CRS is not offered by this service."


class AmbiguousTypeName(InvalidParameter):
    code = "ambiguous_typename"
    default_detail = "The alias names more than one data source you may read: use its id."


class OperationNotSupported(InvalidParameter):
    code = "operation_not_supported"
    default_detail = "This service does not offer that request."


class FrameNotFound(NotFound):
    code = "raster_frame_not_found"
    default_detail = "The layer has no frame at or before that time."
