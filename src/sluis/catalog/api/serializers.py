from django.urls import reverse
from rest_framework import serializers

from sluis.catalog.models import DataSource, SyncTask
from sluis.config.serializers import ModelSerializer
from sluis.uploads.api.serializers import UploadSummarySerializer
from sluis.uploads.selectors import upload_latest_for_task


class DataSourceSummarySerializer(ModelSerializer):
    class Meta:
        model = DataSource
        fields = ["id", "name", "kind"]


class SyncTaskSerializer(ModelSerializer):
    """A sync task as the Nexus listing shows it, plus Sluis's data source summary."""

    owner = serializers.CharField(source="owner.name")
    uploadable = serializers.BooleanField()
    private = serializers.BooleanField(source="is_private")
    data_source = DataSourceSummarySerializer(allow_null=True)

    class Meta:
        model = SyncTask
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "task_type",
            "uploadable",
            "private",
            "data_source",
            "sync_status",
            "sync_last_finished",
        ]


class SyncTaskDetailSerializer(SyncTaskSerializer):
    """One task, with its latest upload visible to the caller (``null`` if none)."""

    latest_upload = serializers.SerializerMethodField()

    class Meta(SyncTaskSerializer.Meta):
        fields = [*SyncTaskSerializer.Meta.fields, "latest_upload"]

    def get_latest_upload(self, task: SyncTask) -> dict | None:
        request = self.context.get("request")
        user = request.user if request else None
        upload = upload_latest_for_task(user=user, sync_task_id=task.pk) if user else None
        return UploadSummarySerializer(upload, context=self.context).data if upload else None


class DataSourceSerializer(ModelSerializer):
    """A data source as Nexus lists it, plus ``id`` and ``kind``.

    ``endpoint`` is where data enters: the upload URL of the source's sync task (``null`` when
    it takes no uploads). ``harvest_last_success`` is when its newest successful upload
    finished processing.
    """

    owner = serializers.CharField(source="owner.name")
    endpoint = serializers.SerializerMethodField()
    harvest_last_success = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = DataSource
        fields = [
            "id",
            "name",
            "owner",
            "description",
            "private",
            "uploadable",
            "kind",
            "endpoint",
            "harvest_last_success",
        ]

    def get_endpoint(self, source: DataSource) -> str | None:
        task_id = getattr(source, "upload_task_id", None)
        if not source.uploadable or task_id is None:
            return None
        path = reverse("upload-receive", kwargs={"pk": task_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
