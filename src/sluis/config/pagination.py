"""DRF page-number pagination as the Nexus API uses it: ``page``, ``page_size`` (10, max 50)."""

from rest_framework import pagination

from sluis.errors import InvalidParameter, NotFound


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
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(_positive_int(raw, self.page_size_query_param), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request.query_params.get(self.page_query_param, "1"), self.page_query_param)
        try:
            return super().paginate_queryset(queryset, request, view)
        except pagination.NotFound as exc:
            raise PageNotFound() from exc


class PageNotFound(NotFound):
    code = "page_not_found"
    default_detail = "That page does not exist."


def _positive_int(raw: str, name: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidParameter(f"'{name}' must be a whole number of at least 1, not {raw!r}.")
    return value
