"""Query-parameter filters of ``GET /sync_tasks/``. Bad values are 400s, never ignored."""

from django.db.models import Q, QuerySet

from sluis.catalog.models import SyncTask, TaskType
from sluis.catalog.selectors import private_filter, uploadable_filter
from sluis.errors import InvalidParameter

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_bool(params, name: str) -> bool | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return _BOOLEANS[raw.strip().lower()]
    except KeyError:
        raise InvalidParameter(f"'{name}' must be true or false, not {raw!r}.") from None


def _task_type(params) -> str | None:
    raw = params.get("task_type")
    if raw and raw not in TaskType.values:
        choices = ", ".join(TaskType.values)
        raise InvalidParameter(f"'task_type' must be one of {choices}, not {raw!r}.")
    return raw or None


def _dc_ids(params) -> list[int] | None:
    raw = params.get("dc_id")
    if not raw:
        return None
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidParameter(
            f"'dc_id' must be a comma-separated list of ids, not {raw!r}."
        ) from None


def filter_sync_tasks(tasks: QuerySet[SyncTask], params) -> QuerySet[SyncTask]:
    """Apply ``uploadable``, ``private``, ``task_type``, ``dc_id`` and ``search``."""
    if (uploadable := parse_bool(params, "uploadable")) is not None:
        tasks = tasks.filter(uploadable_filter(uploadable))
    if (private := parse_bool(params, "private")) is not None:
        tasks = tasks.filter(private_filter(private))
    if task_type := _task_type(params):
        tasks = tasks.filter(task_type=task_type)
    if (ids := _dc_ids(params)) is not None:
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
