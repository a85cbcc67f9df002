"""Kept vector versions: a bad replace can be undone within SLUIS_VECTOR_VERSION_RETENTION_DAYS."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sluis.datastore.vector.models import Feature, FeatureCell, VectorVersion
from sluis.datastore.vector.services import vector_dataset_replace, vector_version_restore
from sluis.uploads.errors import DataSourceBusy
from tests.uploads.conftest import busy_upload

from .conftest import cli

pytestmark = pytest.mark.django_db


def _rows(*names):
    return [
        (name, f'{{"type":"Point","coordinates":[{i},0.5]}}', "{}", i, 0.5, i, 0.5)
        for i, name in enumerate(names)
    ]


@pytest.fixture
def parcels(make_source):
    return make_source(name="Parcels", kind="vector")


def _replace(source, *names):
    return vector_dataset_replace(data_source=source.data_source, batches=[_rows(*names)])


def _served(api, supplier, source) -> list[str]:
    url = f"/api/v1/features/?data_source={source.data_source.pk}&token={supplier.token}"
    return [feature["id_src"] for feature in api.get(url).json()["features"]]


def _version_ids(source):
    return list(VectorVersion.objects.filter(data_source=source.data_source).order_by("id"))


def test_without_retention_a_replace_deletes_the_old_version_at_once(capsys, parcels):
    _replace(parcels, "a", "b")
    counts = _replace(parcels, "c")
    assert (counts.inserted, counts.deleted) == (1, 2)
    code, listed = cli(capsys, "source", "versions", str(parcels.data_source.pk))
    assert code == 0 and [v["state"] for v in listed["versions"]] == ["current"]
    assert Feature.objects.count() == 1


def test_a_kept_version_is_restored_with_its_features(api, supplier, capsys, settings, parcels):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    _replace(parcels, "a", "b")
    counts = _replace(parcels, "bad")
    assert (counts.inserted, counts.deleted) == (1, 2)  # replaced, though kept
    assert _served(api, supplier, parcels) == ["bad"]
    code, listed = cli(capsys, "source", "versions", str(parcels.data_source.pk))
    current, kept = listed["versions"]
    assert (current["state"], kept["state"], kept["features"]) == ("current", "retired", 2)
    assert kept["retired_at"] is not None

    code, result = cli(
        capsys, "source", "restore-version", str(parcels.data_source.pk), str(kept["id"])
    )
    assert code == 0 and result["current_version"]["id"] == kept["id"]
    assert _served(api, supplier, parcels) == ["a", "b"]
    states = {v.pk: v.state for v in _version_ids(parcels)}
    assert states == {kept["id"]: "current", current["id"]: "retired"}  # undo the undo
    vector_version_restore(data_source_id=parcels.data_source.pk, version_id=current["id"])
    assert _served(api, supplier, parcels) == ["bad"]


def test_a_restore_is_refused_while_the_data_source_is_busy(
    api, supplier, capsys, settings, parcels
):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    _replace(parcels, "a")
    _replace(parcels, "b")
    kept = _version_ids(parcels)[0]
    busy_upload(parcels, supplier)
    with pytest.raises(DataSourceBusy):
        vector_version_restore(data_source_id=parcels.data_source.pk, version_id=kept.pk)
    code, error = cli(
        capsys, "source", "restore-version", str(parcels.data_source.pk), str(kept.pk)
    )
    assert code == 2 and error["code"] == "data_source_busy"
    assert _served(api, supplier, parcels) == ["b"]


def test_only_a_kept_version_of_that_data_source_can_be_restored(
    capsys, settings, parcels, make_source
):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    _replace(parcels, "a")
    current = _version_ids(parcels)[0]
    source_id = str(parcels.data_source.pk)
    code, error = cli(capsys, "source", "restore-version", source_id, str(current.pk))
    assert code == 2 and error["code"] == "vector_version_not_restorable"
    other = make_source(name="Other", kind="vector")
    code, error = cli(
        capsys, "source", "restore-version", str(other.data_source.pk), str(current.pk)
    )
    assert code == 2 and error["code"] == "vector_version_not_found"
    levels = make_source(name="Levels", kind="timeseries")
    for source_id in (str(levels.data_source.pk), "999999"):
        code, error = cli(capsys, "source", "versions", source_id)
        assert code == 2 and error["code"] == "data_source_not_found"


def test_purge_deletes_versions_past_retention_and_keeps_recent_ones(
    capsys, settings, parcels, make_source
):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    _replace(parcels, "a", "b", "c")
    _replace(parcels, "d", "e")
    _replace(parcels, "f")
    oldest, middle, current = _version_ids(parcels)
    VectorVersion.objects.filter(pk=oldest.pk).update(retired_at=timezone.now() - timedelta(days=8))
    code, result = cli(capsys, "purge", "--dry-run")
    assert (result["vector_versions"], result["vector_features"]) == (1, 3)
    assert VectorVersion.objects.filter(pk=oldest.pk).exists()
    code, result = cli(capsys, "purge")
    assert code == 0 and (result["vector_versions"], result["vector_features"]) == (1, 3)
    assert [v.pk for v in _version_ids(parcels)] == [middle.pk, current.pk]
    assert not Feature.objects.filter(version_id=oldest.pk).exists()
    assert not FeatureCell.objects.filter(version_id=oldest.pk).exists()


def test_purge_leaves_the_versions_of_a_busy_data_source_alone(capsys, settings, supplier, parcels):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    _replace(parcels, "a")
    _replace(parcels, "b")
    VectorVersion.objects.filter(state="retired").update(
        retired_at=timezone.now() - timedelta(days=8)
    )
    busy_upload(parcels, supplier)
    assert cli(capsys, "purge")[1]["vector_versions"] == 0
    assert VectorVersion.objects.count() == 2


def test_the_admin_restores_a_kept_version(client, admin_user, settings, parcels):
    settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS = 7
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    _replace(parcels, "a")
    _replace(parcels, "b")
    kept, current = _version_ids(parcels)
    url = "/admin/datastore_vector/vectorversion/"
    assert client.get(url).status_code == 200
    client.post(
        url, {"action": "restore_versions", "_selected_action": [kept.pk], "confirmed": "yes"}
    )
    kept.refresh_from_db()
    current.refresh_from_db()
    assert (kept.state, current.state) == ("current", "retired")
