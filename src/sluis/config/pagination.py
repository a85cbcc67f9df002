"""DRF page-number pagination as the Nexus API uses it: ``page``, ``page_size`` (10, max 50)."""

from rest_framework import exceptions, pagination

from sluis.errors import NotFound
from sluis.params import query_int


class PageNumberPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with absolute links.

    Decisions: a ``page`` that is not a whole number of at least 1 and a ``page_size`` that is not
    a whole number of at least 1 are 400s; a ``page_size`` above 50 is capped at 50 (DRF clients
    that ask for more still get pages); a page beyond the last is 404, as in DRF.
    """

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 50

    def get_page_size(self, request) -> int:
        name = self.page_size_query_param
        size = query_int(request.query_params, name, default=self.page_size, minimum=1)
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        query_int(request.query_params, self.page_query_param, minimum=1)
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise PageNotFound() from exc


class PageNotFound(NotFound):
    code = "page_not_found"
    default_detail = "That page does not exist."
