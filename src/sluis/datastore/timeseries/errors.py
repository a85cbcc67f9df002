"""Errors of the timeseries read-back API."""

from sluis.errors import NotFound


class TimeseriesNotFound(NotFound):
    code = "timeseries_not_found"
    default_detail = "The timeseries does not exist, or you may not read it."
