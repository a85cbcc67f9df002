from rest_framework import serializers

from sluis.catalog.models import DataSource, SyncTask


class DataSourceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DataSource
        fields = ["id", "name", "kind"]


class SyncTaskSerializer(serializers.ModelSerializer):
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
