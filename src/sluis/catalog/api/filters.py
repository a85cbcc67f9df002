"""Query-parameter filters of ``GET /sync_tasks/``, parsed by ``sluis.params`` (bad values are
400s, never ignored)."""

from django.db.models import Q, QuerySet

from sluis.catalog.errors import FilterNeedsToken, FilterNotOffered
from sluis.catalog.models import SyncTask, TaskType
from sluis.catalog.selectors import private_filter, uploadable_filter
from sluis.errors import UnsupportedParameter
from sluis.params import query_bool, query_choice, query_ids

# Nexus filters on concepts Sluis does not have (feature types, worlds, locales): refused with a
# 400 naming them rather than ignored, which would answer with every task (docs/api.md).
UNSUPPORTED_FILTERS = ("feature_type", "world", "locale")


def filter_sync_tasks(tasks: QuerySet[SyncTask], params) -> QuerySet[SyncTask]:
    """Apply ``uploadable``, ``private``, ``task_type``, ``dc_id`` (data source ids) and
    ``search``; a Nexus filter Sluis does not implement is a 400 ``unsupported_parameter``."""
    if unsupported := [name for name in UNSUPPORTED_FILTERS if name in params]:
        raise UnsupportedParameter(
            f"Sluis does not support the sync task filter(s) {', '.join(unsupported)}: it has no"
            " feature types, worlds or locales. Filter by data source with 'dc_id'.",
            parameters=unsupported,
        )
    if (uploadable := query_bool(params, "uploadable")) is not None:
        tasks = tasks.filter(uploadable_filter(uploadable))
    if (private := query_bool(params, "private")) is not None:
        tasks = tasks.filter(private_filter(private))
    if task_type := query_choice(params, "task_type", TaskType.values, default=""):
        tasks = tasks.filter(task_type=task_type)
    if (ids := query_ids(params, "dc_id")) is not None:
        tasks = tasks.filter(data_source_id__in=ids)
    if search := params.get("search", "").strip():
        tasks = tasks.filter(_search(search))
    return tasks


def _search(term: str) -> Q:
    return (
        Q(name__icontains=term)
        | Q(description__icontains=term)
        | Q(data_source__name__icontains=term)
        | Q(data_source__description__icontains=term)
    )


def filter_data_sources(sources: QuerySet, params, *, authenticated: bool) -> QuerySet:
    """Nexus's ``dc_id`` filter; ``world`` and ``locale`` are refused, not ignored.

    As on Nexus, anonymous callers get every public source and may not filter (403).
    """
    used = [name for name in ("dc_id", "world", "locale") if params.get(name)]
    if used and not authenticated:
        raise FilterNeedsToken()
    if params.get("world") or params.get("locale"):
        raise FilterNotOffered()
    if (ids := query_ids(params, "dc_id")) is not None:
        sources = sources.filter(pk__in=ids)
    return sources
