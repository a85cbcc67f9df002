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
