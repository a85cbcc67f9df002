"""Export and import against S3-compatible storage (a real moto_server): objects are streamed
out of and into the bucket, and a refused import leaves no object in it."""

import pytest

from sluis.catalog.models import DataSource
from sluis.transfer import errors
from sluis.transfer.services import source_export_file, source_import
from tests.transfer.conftest import readback
from tests.transfer.test_refusals import rewrite
from tests.uploads.conftest import moto_endpoint, s3_storage  # noqa: F401  (fixtures)

pytestmark = pytest.mark.services


def keys(bucket) -> set[str]:
    return {obj.key for obj in bucket.objects.all()}


@pytest.mark.parametrize("kind", ["raster", "file"])
def test_a_copy_in_the_bucket_answers_like_the_original(
    api,
    admin_user,
    filled,
    other_org,
    tmp_path,
    kind,
    s3_storage,  # noqa: F811
):
    original = filled(kind).data_source
    archive = tmp_path / "export.zip"
    source_export_file(data_source_id=original.pk, path=archive)
    before = keys(s3_storage)
    imported = source_import(path=archive, organization=other_org.name)
    copy = DataSource.objects.get(pk=imported["data_source"])
    assert len(keys(s3_storage)) == 2 * len(before)
    assert readback(api, admin_user, copy) == readback(api, admin_user, original)


def test_a_tampered_archive_leaves_no_object_in_the_bucket(
    filled,
    other_org,
    tmp_path,
    s3_storage,  # noqa: F811
):
    original = filled("file").data_source
    archive = tmp_path / "export.zip"
    source_export_file(data_source_id=original.pk, path=archive)
    before = keys(s3_storage)
    changed = rewrite(archive, change={"files/data/notes.txt": lambda data: data + b"!"})
    with pytest.raises(errors.ImportChecksumMismatch):
        source_import(path=changed, organization=other_org.name)
    assert keys(s3_storage) == before and not DataSource.objects.filter(owner=other_org)
