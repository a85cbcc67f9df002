"""One corpus file through the real pipeline: the upload endpoint (pre-flight), then processing."""

from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload

CORPUS = Path(__file__).parent


@dataclass
class Outcome:
    """What a supplier sees: processed, or refused with a code (at receipt) and a message."""

    status: str  # "processed" | "refused"
    code: str
    message: str
    upload: Upload | None

    def describe(self) -> str:
        return f"{self.status} {self.code} {self.message}".strip()


def corpus_upload(*, api, user, source, path: Path) -> Outcome:
    """POST ``path`` to the source's sync task and process it in-process as the worker does."""
    url = f"/api/v1/sync_tasks/{source.sync_task.pk}/upload/?token={user.token}"
    data = {"upload_file": SimpleUploadedFile(path.name, path.read_bytes())}
    response = api.post(url, data, format="multipart")
    if response.status_code != 201:
        body = response.json()
        assert response.status_code < 500, body
        return Outcome("refused", body.get("code", ""), body.get("detail", ""), None)
    upload = Upload.objects.get(pk=response.json()["id"])
    status = upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    if status == "succeeded":
        return Outcome("processed", "", "; ".join(upload.warnings), upload)
    problems = "; ".join(_problem(p) for p in upload.errors[:3])
    return Outcome(
        "refused", "processing_failed", f"{upload.failure_reason} {problems}".strip(), upload
    )


def _problem(problem: dict) -> str:
    """A problem as the report shows it: the file, then the message (which may name it too)."""
    file, message = str(problem.get("file") or ""), str(problem.get("message", ""))
    return message if not file or message.startswith(file) else f"{file}: {message}"
