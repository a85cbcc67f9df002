"""`sluis storage sweep`: objects no row refers to go, of every kind; referenced, recent and
busy ones stay. On local storage and on a real S3 server (moto_server)."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from sluis.datastore.files.models import StoredFile
from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.vector.models import VectorVersion
from sluis.datastore.vector.services import vector_version_start
from sluis.maintenance.services import storage_sweep
from sluis.uploads.storage import object_storage
from tests.datastore.files.builders import photo
from tests.datastore.rasters.builders import grid, write_geotiff
from tests.uploads.conftest import busy_upload

from .conftest import BAD_CSV, cli

pytestmark = pytest.mark.django_db

KINDS = ("originals", "rasters", "files", "reports")


@pytest.fixture
def stored(make_source, processed, tmp_path):
    """Real data of every kind, through the endpoint and the engine: a failed timeseries upload
    (original + error report), a raster frame (COG) and a photo (file + thumbnail)."""
    levels = make_source(name="Levels", kind="timeseries")
    failed = processed(levels, BAD_CSV)
    pattern = {"filename_pattern": "ev_{timestamp:%Y-%m-%d}.tif"}
    rasters = make_source(name="Evaporation", kind="raster", ingest_settings=pattern)
    tif = write_geotiff(tmp_path / "ev.tif", grid())
    raster_upload = processed(rasters, tif.read_bytes(), "ev_2024-01-01.tif")
    photos = make_source(name="Photos", kind="file")
    photo_upload = processed(photos, photo(), "site.jpg")
    assert (failed.status, raster_upload.status, photo_upload.status) == (
        "failed",
        "succeeded",
        "succeeded",
    ), (raster_upload.failure_reason, photo_upload.failure_reason)
    frame, file = RasterFrame.objects.get(), StoredFile.objects.get()
    assert file.thumbnail_key
    keys = [failed.storage_key, failed.error_report_key, frame.storage_key, file.key]
    keys += [file.thumbnail_key, raster_upload.storage_key, photo_upload.storage_key]
    return {"keys": keys, "sources": (levels, rasters, photos)}


def _orphans(sources, suffix=""):
    """One unreferenced object per kind, named as Sluis names them."""
    levels, rasters, photos = (s.data_source.pk for s in sources)
    keys = [
        f"originals/{levels}/2026/01/deadbeef{suffix}",
        f"rasters/{rasters}/0123456789abcdef{suffix}.tif",
        f"files/{photos}/99/abcdef{suffix}.jpg",
        f"files/{photos}/99/abcdef{suffix}.jpg.thumb.jpg",
        f"reports/upload-987654{suffix}-errors.csv",
    ]
    storage = object_storage()
    return [storage.save(key, ContentFile(b"left behind")) for key in keys]


def _age(storage_dir, keys, seconds=7200):
    then = time.time() - seconds
    for key in keys:
        os.utime(storage_dir / key, (then, then))


def _exists(keys):
    return [key for key in keys if object_storage().exists(key)]


def test_the_sweep_removes_unreferenced_objects_of_every_kind_only(capsys, storage_dir, stored):
    old, fresh = _orphans(stored["sources"]), _orphans(stored["sources"], "-fresh")
    spool = storage_dir / ".incoming/upload-x.part"
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_bytes(b"half a body")
    _age(storage_dir, [*old, *stored["keys"], ".incoming/upload-x.part"])

    code, dry = cli(capsys, "storage", "sweep", "--dry-run")
    assert code == 0 and dry["dry_run"] is True and dry["orphan_objects"] == 5
    assert _exists(old) == old and spool.exists()

    code, result = cli(capsys, "storage", "sweep", "--older-than-minutes", "60")
    assert code == 0 and result["orphan_objects"] == 5 and result["spool_files"] == 1
    assert {kind: result["objects"][kind]["count"] for kind in KINDS} == {
        "originals": 1,
        "rasters": 1,
        "files": 2,
        "reports": 1,
    }
    assert result["bytes"] == 5 * len(b"left behind") + len(b"half a body")
    assert _exists(old) == [] and not spool.exists()
    assert _exists(stored["keys"]) == stored["keys"]  # referenced: kept whatever their age
    assert _exists(fresh) == fresh  # younger than the guard: maybe being recorded right now


def test_the_old_command_name_still_sweeps(capsys, storage_dir, stored):
    old = _orphans(stored["sources"])
    _age(storage_dir, old)
    code, result = cli(capsys, "upload", "sweep")
    assert code == 0 and result["orphan_objects"] == 5 and _exists(old) == []


def test_objects_of_a_busy_data_source_are_left_alone(supplier, storage_dir, stored):
    old = _orphans(stored["sources"])
    _age(storage_dir, old)
    _levels, rasters, photos = stored["sources"]
    busy_upload(rasters, supplier)
    busy_upload(photos, supplier)
    result = storage_sweep(older_than=timedelta(minutes=60))
    assert [kind for kind in KINDS if result.objects[kind].count] == ["originals", "reports"]
    assert len(_exists(old)) == 3  # the raster COG, the file and its thumbnail


def test_an_original_whose_purge_could_not_delete_it_is_swept(storage_dir, stored):
    from django.utils import timezone

    from sluis.uploads.models import Upload

    upload = Upload.objects.filter(status="failed").get()
    Upload.objects.filter(pk=upload.pk).update(original_purged_at=timezone.now())
    _age(storage_dir, [upload.storage_key])
    assert storage_sweep(older_than=timedelta(minutes=60)).objects["originals"].count == 1
    assert not object_storage().exists(upload.storage_key)


def test_a_vector_version_abandoned_while_building_is_removed(supplier, make_source):
    parcels = make_source(name="Parcels", kind="vector")
    abandoned = vector_version_start(data_source=parcels.data_source, upload_id=None)
    assert storage_sweep(older_than=timedelta(minutes=60)).vector_versions == 0  # recent
    VectorVersion.objects.filter(pk=abandoned.pk).update(
        created=abandoned.created - timedelta(hours=2)
    )
    busy = busy_upload(parcels, supplier)
    assert storage_sweep(older_than=timedelta(minutes=60)).vector_versions == 0  # busy source
    busy.delete()
    assert storage_sweep(older_than=timedelta(minutes=60)).vector_versions == 1
    assert not VectorVersion.objects.exists()


@pytest.mark.services
def test_the_sweep_works_on_s3(s3_storage, stored):
    old = _orphans(stored["sources"])
    dry = storage_sweep(older_than=timedelta(seconds=-60), dry_run=True)
    assert dry.as_dict()["orphan_objects"] == 5 and _exists(old) == old
    result = storage_sweep(older_than=timedelta(seconds=-60))
    assert result.as_dict()["orphan_objects"] == 5
    assert result.objects["files"].bytes == 2 * len(b"left behind")
    assert sorted(o.key for o in s3_storage.objects.all()) == sorted(stored["keys"])
    assert storage_sweep(older_than=timedelta(minutes=60)).as_dict()["orphan_objects"] == 0


@pytest.mark.services
def test_the_s3_sweep_respects_the_key_prefix(settings, s3_storage, stored):
    storages = dict(settings.STORAGES)
    options = {**storages["sluis"]["OPTIONS"], "location": "tenant-a"}
    settings.STORAGES = {**storages, "sluis": {**storages["sluis"], "OPTIONS": options}}
    s3_storage.put_object(Key="unrelated/originals/1/x", Body=b"not ours")
    old = _orphans(stored["sources"])
    assert all(o.key.startswith("tenant-a/") for o in s3_storage.objects.filter(Prefix="tenant-a/"))
    result = storage_sweep(older_than=timedelta(seconds=-60))
    assert result.as_dict()["orphan_objects"] == 5 and _exists(old) == []
    assert [o.key for o in s3_storage.objects.filter(Prefix="unrelated/")] == [
        "unrelated/originals/1/x"
    ]
