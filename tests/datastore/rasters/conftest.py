import pytest

from sluis.kinds import kind_get


@pytest.fixture
def raster_source(make_source):
    return make_source(name="Evaporation", kind="raster").data_source


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """Run the registered raster processor on a job, with after-commit work executed."""

    def run(job):
        with django_capture_on_commit_callbacks(execute=True):
            return kind_get("raster").processor.process(job)

    return run


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    """Each test stores objects in its own folder, so it can count what was left behind."""
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}
