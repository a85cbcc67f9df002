"""A restore switches like a replace: a reader in another thread sees all old or all new."""

import pytest

from sluis.datastore.vector.models import VectorVersion
from sluis.datastore.vector.services import vector_dataset_replace, vector_version_restore
from tests.datastore.vector.test_vector_atomicity import NEW, OLD, Reader, _rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_never_sees_a_mix_while_versions_are_restored(settings, make_source):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    source = make_source(name="Parcels", kind="vector").data_source
    vector_dataset_replace(data_source=source, batches=[_rows(OLD)])
    vector_dataset_replace(data_source=source, batches=[_rows(NEW)])
    old, new = VectorVersion.objects.filter(data_source=source).order_by("id")
    reader = Reader(source)
    reader.start()
    for _ in range(5):
        for version in (old, new):
            reads = len(reader.seen)
            reader.wait_for(lambda reads=reads: len(reader.seen) > reads + 2)
            vector_version_restore(data_source_id=source.pk, version_id=version.pk)
    reader.wait_for(lambda: reader.seen[-1] == "new")
    reader.finish()
    assert set(reader.seen) == {"old", "new"}  # never a mix, never nothing
