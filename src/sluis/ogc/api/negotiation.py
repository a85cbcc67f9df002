"""Content negotiation for the OGC views: they build their responses themselves.

DRF would otherwise read WMS's ``format=image/png`` as its own format override (and answer 404)
and refuse the ``Accept`` headers of GIS clients (``application/gml+xml``) with 406.
"""

from rest_framework.negotiation import BaseContentNegotiation


class OgcNegotiation(BaseContentNegotiation):
    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
