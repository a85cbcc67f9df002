"""Queries over uploads: who may see which upload records."""

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from sluis.uploads.models import Upload, UploadStatus


def uploads_visible(*, user) -> QuerySet[Upload]:
    """Uploads ``user`` may see: their own, their organization's (as uploader or as owner of
    the data source), or all for administrators. Anonymous callers see none."""
    uploads = Upload.objects.select_related(
        "uploader", "data_source", "data_source__owner", "sync_task"
    )
    if not user.is_authenticated:
        return uploads.none()
    if user.is_staff:
        return uploads
    visible = Q(uploader_id=user.pk)
    if user.organization_id:
        org = user.organization_id
        visible |= Q(uploader__organization_id=org) | Q(data_source__owner_id=org)
    return uploads.filter(visible)


def upload_visible(*, user, pk: int) -> Upload | None:
    """Upload ``pk`` if ``user`` may see it (the rules of ``uploads_visible``), else None: one
    query by primary key, the rules checked on the row (cheaper than the filtered query)."""
    found = Upload.objects.select_related("uploader", "data_source").filter(pk=pk).order_by()
    upload = found.first()
    return upload if upload is not None and _sees(user, upload) else None


def _sees(user, upload: Upload) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or upload.uploader_id == user.pk:
        return True
    org = user.organization_id
    if not org:
        return False
    uploader_org = upload.uploader.organization_id if upload.uploader else None
    return org in (uploader_org, upload.data_source.owner_id)


def uploads_latest_per_data_source(*, user) -> QuerySet[Upload]:
    """The most recent visible upload of every data source (the legacy ``GET /uploads/``)."""
    visible = uploads_visible(user=user)
    newest = (
        visible.filter(data_source_id=OuterRef("data_source_id"))
        .order_by("-received_at", "-id")
        .values("pk")[:1]
    )
    return visible.filter(pk=Subquery(newest)).order_by("data_source_id")


def upload_latest_for_task(*, user, sync_task_id: int) -> Upload | None:
    return uploads_visible(user=user).filter(sync_task_id=sync_task_id).first()


def data_sources_with_last_success(sources: QuerySet) -> QuerySet:
    """``sources`` annotated with ``harvest_last_success``: when their newest successful
    upload finished processing (``None`` if none has)."""
    succeeded = Q(uploads__status=UploadStatus.SUCCEEDED)
    return sources.annotate(harvest_last_success=Max("uploads__finished_at", filter=succeeded))
