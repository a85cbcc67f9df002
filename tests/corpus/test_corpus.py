"""Real files from public projects through the real pipeline: outcome and stored data.

Each file of ``tests/corpus`` (listed with its origin in ORIGINS.md) is uploaded to a fresh data
source of its folder's kind through the upload endpoint and processed as the worker does. It must
be processed, or refused with a message naming what ``cases.REFUSED`` lists; never a 5xx, never
"unexpected error". What was stored is compared with what other libraries read from the file
(``expectations``).
"""

import pytest

from tests.corpus import expectations
from tests.corpus.cases import (
    FIXED_LATER,
    REFUSED,
    SETTINGS,
    case_id,
    corpus_files,
)
from tests.corpus.runner import corpus_upload

pytestmark = pytest.mark.django_db


def _params():
    for path in corpus_files():
        name = case_id(path)
        marks = (
            [pytest.mark.xfail(reason=FIXED_LATER[name], strict=True)]
            if name in FIXED_LATER
            else []
        )
        yield pytest.param(path, id=name, marks=marks)


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}


@pytest.mark.parametrize("path", list(_params()))
def test_each_real_file_is_processed_or_refused_naming_why(path, api, supplier, make_source):
    name = case_id(path)
    kind = name.split("/", 1)[0]
    settings = SETTINGS.get(name, {})
    source = make_source(name="Corpus", kind=kind, ingest_settings=settings)

    outcome = corpus_upload(api=api, user=supplier, source=source, path=path)

    assert "unexpected error" not in outcome.message, outcome.describe()
    if name in REFUSED:
        assert outcome.status == "refused", outcome.describe()
        for fragment in REFUSED[name]:
            assert fragment in outcome.message, outcome.describe()
        return
    assert outcome.status == "processed", outcome.describe()
    CHECKS[kind](
        path=path, settings=settings, outcome=outcome, api=api, user=supplier, source=source
    )


def _check_vector(*, path, settings, outcome, **_):
    assert outcome.upload.inserted == expectations.vector_feature_count(path, settings)


def _check_raster(*, path, settings, api, user, source, **_):
    url = f"/api/v1/rasters/?data_source={source.data_source.pk}&token={user.token}"
    frames = api.get(url).json()["results"]
    assert frames, "no frame stored"
    truth = expectations.raster_truth(path, settings)
    frame = frames[0]
    assert (frame["width"], frame["height"], frame["bands"]) == (
        truth["width"],
        truth["height"],
        truth["bands"],
    )
    if len(frames) == 1 and "min" in truth:
        band = frame["band_stats"][0]
        for stat in ("min", "max", "mean"):
            assert band[stat] == pytest.approx(truth[stat], rel=1e-5, abs=1e-6), stat


def _check_timeseries(*, path, outcome, **_):
    text = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if path.suffix == ".xml":
        assert outcome.upload.inserted == expectations.pi_xml_event_count(path)
    elif path.suffix == ".json" and text.startswith(b"{") and b"timeSeries" in text:
        assert outcome.upload.inserted == expectations.pi_json_event_count(path)


def _check_file(*, path, api, user, source, **_):
    url = f"/api/v1/files/?data_source={source.data_source.pk}&token={user.token}"
    stored = api.get(url).json()["results"]
    assert len(stored) == 1
    record = stored[0]
    if path.suffix.lower() == ".pdf":
        assert record["page_count"] == expectations.pdf_pages(path)
    elif path.suffix.lower() in (
        ".jpg",
        ".jpeg",
        ".png",
        ".tiff",
        ".webp",
        ".gif",
        ".heic",
        ".heif",
        ".avif",
        ".avifs",
    ):
        assert (record["width"], record["height"]) == expectations.image_size(path)


CHECKS = {
    "vector": _check_vector,
    "raster": _check_raster,
    "timeseries": _check_timeseries,
    "file": _check_file,
}
