"""Typed errors of the raster read-back API."""

from sluis.errors import NotFound, SluisError


class RasterNotFound(NotFound):
    code = "raster_not_found"
    default_detail = "No such raster frame, or it is not visible to you."


class TooManyFrames(SluisError):
    code = "too_many_frames"
    default_detail = "Too many frames in the range; narrow it with start and end."
