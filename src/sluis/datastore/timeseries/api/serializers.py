from rest_framework import serializers

from sluis.datastore.timeseries.models import Series


class SeriesSerializer(serializers.ModelSerializer):
    """One stored series with its event count and time span."""

    data_source = serializers.IntegerField(source="data_source_id")
    count = serializers.IntegerField(source="event_count")
    first_timestamp = serializers.DateTimeField(allow_null=True)
    last_timestamp = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Series
        fields = [
            "id",
            "data_source",
            "location",
            "parameter",
            "unit",
            "count",
            "first_timestamp",
            "last_timestamp",
        ]
