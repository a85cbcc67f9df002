"""What a page shows of an upload: plain values and temporary links, ready for a template.

Links to user bytes are the signed, expiring download links of ``sluis.uploads.links``: they are
served as attachments with ``nosniff`` and a sandbox CSP, so nothing a user uploaded is ever
rendered by our own pages.
"""

from dataclasses import dataclass

from sluis.formats.records import MAX_REPORT_ROWS
from sluis.uploads.links import download_link
from sluis.uploads.models import Upload

COUNT_FIELDS = ("inserted", "updated", "unchanged", "deleted", "rejected")
SHOWN_ERRORS = 10
MAX_LINK_NAME = 1000  # a longer original name would bloat the signed link: use the sanitised one


@dataclass(frozen=True)
class UploadRow:
    upload: Upload
    counts: list[tuple[str, int]]
    errors: list[dict]
    download_url: str
    report_url: str

    @property
    def more_errors(self) -> int:
        """Problems found but not listed on the page (the report has them)."""
        return max(self.upload.error_count - len(self.errors), 0)

    @property
    def report_rows(self) -> int:
        """How many problems the CSV report holds: all of them, up to ``MAX_REPORT_ROWS``."""
        return min(self.upload.error_count, MAX_REPORT_ROWS)

    @property
    def report_complete(self) -> bool:
        return self.upload.error_count <= MAX_REPORT_ROWS


def upload_rows(*, request, uploads: list[Upload]) -> list[UploadRow]:
    return [upload_row(request=request, upload=upload) for upload in uploads]


def upload_row(*, request, upload: Upload) -> UploadRow:
    finished = upload.status in ("succeeded", "failed")
    counts = [(name, getattr(upload, name)) for name in COUNT_FIELDS] if finished else []
    errors = [e for e in (upload.errors or []) if isinstance(e, dict)][:SHOWN_ERRORS]
    return UploadRow(
        upload=upload,
        counts=counts,
        errors=errors,
        download_url=_original_link(request, upload),
        report_url=_report_link(request, upload),
    )


def _original_link(request, upload: Upload) -> str:
    if not upload.storage_key or upload.original_purged_at is not None:
        return ""
    name = upload.original_filename
    if not name or len(name) > MAX_LINK_NAME:
        name = upload.filename
    return download_link(request=request, key=upload.storage_key, filename=name).url


def _report_link(request, upload: Upload) -> str:
    if not upload.error_report_key:
        return ""
    name = f"upload-{upload.pk}-errors.csv"
    link = download_link(
        request=request, key=upload.error_report_key, filename=name, content_type="text/csv"
    )
    return link.url
