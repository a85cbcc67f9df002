"""Serializer fields are built once per class; every serializer still gets fields of its own."""

from sluis.catalog.api.serializers import SyncTaskDetailSerializer, SyncTaskSerializer
from sluis.uploads.api.serializers import UploadReceiptSerializer, UploadSerializer


def test_each_serializer_gets_its_own_bound_fields():
    first, second = SyncTaskSerializer(), SyncTaskSerializer()
    assert list(first.fields) == list(second.fields)
    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].parent is first and second.fields["name"].parent is second
    assert (
        first.fields["data_source"].fields["name"]
        is not second.fields["data_source"].fields["name"]
    )


def test_a_subclass_keeps_its_own_fields():
    for base, sub in [
        (SyncTaskSerializer, SyncTaskDetailSerializer),
        (UploadReceiptSerializer, UploadSerializer),
    ]:
        assert list(base().fields) == base.Meta.fields
        assert list(sub().fields) == sub.Meta.fields
