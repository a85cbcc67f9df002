"""The ``file`` processor: types, allow-lists, overwrite by name, timestamps and places,
thumbnails, and hostile images — each run through an IngestJob as the engine builds it."""

import io
import time
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError
from PIL import Image

from sluis.datastore.files.models import StoredFile
from sluis.datastore.files.services import FileToStore, files_store
from sluis.readers.files.meta import file_meta_read
from sluis.uploads.storage import object_storage
from tests.datastore.files import builders
from tests.datastore.files.conftest import RECEIVED, stored_objects

BRIDGE = (52.0907, 5.1214)
LOCK = (51.9225, 4.4792)
DIKE = (53.2194, 6.5665)


def survey():
    return [
        (
            "IMG_0001.jpg",
            builders.photo(taken=datetime(2024, 5, 1, 9, 0, 0), offset="+02:00", position=BRIDGE),
            "jpeg",
        ),
        (
            "IMG_0002.jpg",
            builders.photo(taken=datetime(2024, 5, 1, 9, 30, 0), offset="+02:00", position=LOCK),
            "jpeg",
        ),
        (
            "IMG_0003.jpg",
            builders.photo(taken=datetime(2024, 5, 1, 10, 0, 0), offset="+02:00", position=DIKE),
            "jpeg",
        ),
        ("inspection report.pdf", builders.pdf(pages=3), "pdf"),
    ]


def read_object(key):
    with object_storage().open(key, "rb") as handle:
        return handle.read()


def test_three_geotagged_photos_and_a_pdf_land_as_four_files(photos, run_job):
    done = run_job(photos, survey())
    assert (done.counts.inserted, done.counts.updated, done.counts.unchanged) == (4, 0, 0)
    files = {f.name: f for f in StoredFile.objects.filter(data_source=photos)}
    assert set(files) == {"IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "inspectionreport.pdf"}
    first = files["IMG_0001.jpg"]
    assert first.timestamp == datetime(2024, 5, 1, 7, 0, 0, tzinfo=UTC)
    assert first.timestamp_source == "exif"
    assert (first.latitude, first.longitude) == pytest.approx(BRIDGE, abs=1e-6)
    assert (first.width, first.height, first.content_type) == (640, 480, "image/jpeg")
    thumbnail = Image.open(io.BytesIO(read_object(first.thumbnail_key)))
    assert max(thumbnail.size) == 256 and first.thumbnail_content_type == "image/jpeg"
    report = files["inspectionreport.pdf"]
    assert (report.page_count, report.timestamp, report.timestamp_source) == (
        3,
        RECEIVED,
        "received",
    )
    assert report.original_filename == "inspection report.pdf" and report.thumbnail_key == ""
    assert read_object(report.key) == survey()[3][1]
    assert done.problems == []


def test_uploading_one_photo_again_with_new_content_replaces_only_that_one(photos, run_job):
    run_job(photos, survey())
    before = {f.name: f for f in StoredFile.objects.filter(data_source=photos)}
    objects_before = stored_objects(photos)
    new = builders.photo(
        color=(0, 0, 255), taken=datetime(2024, 6, 1, 12, 0, 0), offset="+02:00", position=LOCK
    )

    counts = run_job(photos, [("IMG_0002.jpg", new, "jpeg")]).counts

    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 1, 0)
    after = {f.name: f for f in StoredFile.objects.filter(data_source=photos)}
    assert set(after) == set(before)
    replaced = after["IMG_0002.jpg"]
    assert replaced.pk == before["IMG_0002.jpg"].pk and read_object(replaced.key) == new
    assert replaced.timestamp == datetime(2024, 6, 1, 10, 0, 0, tzinfo=UTC)
    for name in ("IMG_0001.jpg", "IMG_0003.jpg", "inspectionreport.pdf"):
        assert (after[name].key, after[name].sha256) == (before[name].key, before[name].sha256)
    old = before["IMG_0002.jpg"]
    gone = {old.key, old.thumbnail_key}
    assert gone <= objects_before and not gone & stored_objects(photos)
    assert {replaced.key, replaced.thumbnail_key} <= stored_objects(photos)
    assert len(stored_objects(photos)) == len(objects_before)


def test_the_same_upload_processed_twice_stores_the_same_data(photos, run_job):
    run_job(photos, survey())
    first = list(StoredFile.objects.values_list("name", "key", "sha256", "timestamp"))
    objects = stored_objects(photos)
    counts = run_job(photos, survey()).counts
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 4)
    assert list(StoredFile.objects.values_list("name", "key", "sha256", "timestamp")) == first
    assert stored_objects(photos) == objects


ALL_TYPES = [
    ("a.jpg", builders.photo(), "jpeg", "image/jpeg"),
    ("a.png", builders.photo(fmt="PNG"), "png", "image/png"),
    ("a.tif", builders.photo(fmt="TIFF"), "tiff", "image/tiff"),
    ("ortho.tif", builders.photo(fmt="TIFF", size=(64, 64)), "geotiff", "image/tiff"),
    ("a.webp", builders.photo(fmt="WEBP"), "webp", "image/webp"),
    ("a.gif", builders.photo(fmt="GIF", mode="P", color=1), "gif", "image/gif"),
    ("a.pdf", builders.pdf(), "pdf", "application/pdf"),
    (
        "a.docx",
        builders.office("docx"),
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "a.xlsx",
        builders.office("xlsx"),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "a.pptx",
        builders.office("pptx"),
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("a.odt", builders.office("odt"), "odt", "application/vnd.oasis.opendocument.text"),
    ("a.ods", builders.office("ods"), "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("a.txt", b"water level high\n", "txt", "text/plain"),
    ("a.csv", b"a,b\n1,2\n", "csv", "text/csv"),
    ("a.json", b'{"a": 1}', "json", "application/json"),
    ("a.mp4", builders.mp4(12.5), "mp4", "video/mp4"),
    ("a.mov", builders.mp4(2, brand=b"qt  "), "mov", "video/quicktime"),
    ("a.avi", builders.avi(frames=50), "avi", "video/x-msvideo"),
    ("a.mkv", builders.matroska(4), "mkv", "video/x-matroska"),
    ("a.webm", builders.matroska(5, doctype=b"webm"), "webm", "video/webm"),
]


def test_every_accepted_type_is_stored_with_its_content_type(photos, run_job):
    done = run_job(photos, [(name, data, fmt) for name, data, fmt, _ in ALL_TYPES])
    assert done.counts.inserted == len(ALL_TYPES) and done.problems == []
    stored = {f.name: f for f in StoredFile.objects.filter(data_source=photos)}
    for name, data, fmt, content_type in ALL_TYPES:
        row = stored[name]
        assert (row.format, row.content_type, row.size) == (fmt, content_type, len(data))
        assert read_object(row.key) == data
        assert bool(row.thumbnail_key) is (content_type.startswith("image/"))
    assert stored["a.mp4"].duration == pytest.approx(12.5)
    assert stored["a.avi"].duration == pytest.approx(2.0)
    assert stored["a.webm"].duration == pytest.approx(5.0)
    assert stored["a.pdf"].page_count == 2
    assert (stored["ortho.tif"].width, stored["ortho.tif"].height) == (64, 64)


def file_source(make_source, **settings):
    return make_source(name="Files", kind="file", ingest_settings=settings).data_source


def assert_nothing_stored(source):
    assert not StoredFile.objects.filter(data_source=source).exists()
    assert stored_objects(source) == set()


def test_a_type_outside_the_allow_list_fails_the_upload_naming_the_file(make_source, run_job):
    source = file_source(make_source, allowed_types=["pdf", "text/csv"])
    done = run_job(source, [("a.pdf", builders.pdf(), "pdf"), ("clip.mp4", builders.mp4(3), "mp4")])
    assert done.failure is not None and "nothing was written" in done.failure.detail
    (problem,) = done.problems
    assert problem.file == "clip.mp4"
    assert "MP4" in problem.message and "csv, pdf" in problem.message
    assert_nothing_stored(source)


def test_families_of_types_can_be_allowed(make_source, run_job):
    source = file_source(make_source, allowed_types=["image/*"])
    done = run_job(source, [("a.jpg", builders.photo(), "jpeg"), ("r.pdf", builders.pdf(), "pdf")])
    assert [p.file for p in done.problems] == ["r.pdf"]
    assert_nothing_stored(source)


def test_an_unknown_allowed_type_fails_with_a_clear_reason(make_source, run_job):
    source = file_source(make_source, allowed_types=["jpeg", "pictures"])
    done = run_job(source, [("a.jpg", builders.photo(), "jpeg")])
    assert "'pictures'" in done.failure.detail and "image/*" in done.failure.detail
    assert_nothing_stored(source)


@pytest.mark.parametrize(
    ("name", "data", "fmt", "words"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "html", "HTML, which this"),
        ("photo.jpg", b"<html></html>", "", "unrecognised"),
        ("photo.jpg", builders.photo(fmt="PNG"), "png", "'.jpg' but the content is PNG"),
        ("tool.exe", b"MZ\x90\x00", "txt", "never stores"),
        ("report.pdf", builders.photo(), "jpeg", "'.pdf' but the content is JPEG"),
    ],
)
def test_content_that_does_not_match_its_name_or_kind_is_rejected(
    photos, run_job, name, data, fmt, words
):
    done = run_job(photos, [("fine.jpg", builders.photo(), "jpeg"), (name, data, fmt)])
    (problem,) = done.problems
    assert problem.file == name and words in problem.message
    assert_nothing_stored(photos)


def test_with_skip_invalid_rows_the_bad_files_are_left_out(make_source, run_job):
    source = file_source(make_source, on_error="skip_invalid_rows", allowed_types=["jpeg"])
    done = run_job(source, [("a.jpg", builders.photo(), "jpeg"), ("r.pdf", builders.pdf(), "pdf")])
    assert (done.counts.inserted, done.counts.rejected) == (1, 1)
    assert list(StoredFile.objects.values_list("name", flat=True)) == ["a.jpg"]


def test_a_decompression_bomb_fails_the_upload_quickly_and_keeps_the_stored_data(photos, run_job):
    run_job(photos, survey())
    before = stored_objects(photos)
    started = time.monotonic()
    done = run_job(
        photos,
        [
            ("IMG_0001.jpg", builders.photo(), "jpeg"),
            ("bomb.png", builders.png_declaring(100_000, 100_000), "png"),
        ],
    )
    assert time.monotonic() - started < 2
    (problem,) = done.problems
    assert problem.file == "bomb.png" and "decompression bomb" in problem.message
    assert StoredFile.objects.filter(data_source=photos).count() == 4
    assert stored_objects(photos) == before


def test_an_exif_bomb_fails_the_upload_naming_the_file(photos, run_job):
    done = run_job(photos, [("exif.png", builders.png_with_exif_chunk(2_000_000), "png")])
    (problem,) = done.problems
    assert problem.file == "exif.png" and "EXIF block of 2,000,006 bytes" in problem.message
    assert_nothing_stored(photos)


def test_broken_exif_is_ignored_with_a_warning_and_the_photo_kept(photos, run_job):
    done = run_job(photos, [("loop.jpg", builders.jpeg_with_looping_exif(), "jpeg")])
    assert done.counts.inserted == 1 and any("corrupt" in w for w in done.warnings)
    stored = StoredFile.objects.get()
    assert (stored.timestamp_source, stored.latitude) == ("received", None)


def test_a_naive_exif_time_is_read_in_the_data_source_time_zone(make_source, run_job):
    source = file_source(make_source, timezone="Europe/Amsterdam")
    run_job(source, [("a.jpg", builders.photo(taken=datetime(2024, 7, 1, 12, 0, 0)), "jpeg")])
    assert StoredFile.objects.get().timestamp == datetime(2024, 7, 1, 10, 0, 0, tzinfo=UTC)


def test_a_naive_exif_time_without_a_time_zone_setting_is_utc(photos, run_job):
    run_job(photos, [("a.jpg", builders.photo(taken=datetime(2024, 7, 1, 12, 0, 0)), "jpeg")])
    assert StoredFile.objects.get().timestamp == datetime(2024, 7, 1, 12, 0, 0, tzinfo=UTC)


def test_an_exif_time_in_the_dst_fold_is_a_problem(make_source, run_job):
    source = file_source(make_source, timezone="Europe/Amsterdam")
    done = run_job(
        source, [("a.jpg", builders.photo(taken=datetime(2024, 10, 27, 2, 30, 0)), "jpeg")]
    )
    (problem,) = done.problems
    assert problem.file == "a.jpg" and "ambiguous" in problem.message


def test_without_exif_the_filename_pattern_gives_the_time(make_source, run_job):
    source = file_source(
        make_source,
        filename_pattern="inspection_{timestamp:%Y-%m-%d}.pdf",
        timezone="Europe/Amsterdam",
    )
    done = run_job(
        source,
        [
            ("inspection_2023-06-30.pdf", builders.pdf(), "pdf"),
            ("other.pdf", builders.pdf(pages=1), "pdf"),
            (
                "inspection_2020-01-01.jpg",
                builders.photo(taken=datetime(2024, 1, 1), offset="+00:00"),
                "jpeg",
            ),
        ],
    )
    times = {f.name: (f.timestamp, f.timestamp_source) for f in StoredFile.objects.all()}
    assert done.problems == []
    assert times["inspection_2023-06-30.pdf"] == (
        datetime(2023, 6, 29, 22, 0, tzinfo=UTC),
        "filename",
    )
    assert times["other.pdf"] == (RECEIVED, "received")
    assert times["inspection_2020-01-01.jpg"] == (datetime(2024, 1, 1, tzinfo=UTC), "exif")


def test_a_name_matching_the_pattern_with_an_impossible_date_is_a_problem(make_source, run_job):
    source = file_source(make_source, filename_pattern="scan_{timestamp:%Y%m%d}.pdf")
    done = run_job(source, [("scan_20231345.pdf", builders.pdf(), "pdf")])
    (problem,) = done.problems
    assert problem.file == "scan_20231345.pdf" and "20231345" in problem.message


def test_an_unusable_filename_pattern_fails_with_a_clear_reason(make_source, run_job):
    source = file_source(make_source, filename_pattern="scan.pdf")
    done = run_job(source, [("scan.pdf", builders.pdf(), "pdf")])
    assert "filename_pattern" in done.failure.detail and "{timestamp:" in done.failure.detail


def test_two_members_with_the_same_sanitised_name_keep_the_last_with_a_warning(photos, run_job):
    first, last = builders.pdf(pages=1), builders.pdf(pages=5)
    done = run_job(photos, [("a/report.pdf", first, "pdf"), ("b/report#.pdf", last, "pdf")])
    assert done.counts.inserted == 1 and "the last one was kept" in done.warnings[0]
    stored = StoredFile.objects.get()
    assert (stored.name, stored.page_count, stored.original_filename) == (
        "report.pdf",
        5,
        "b/report#.pdf",
    )


def test_a_name_that_sanitises_to_nothing_is_stored_under_a_generated_name(photos, run_job):
    run_job(photos, [("报告.pdf", builders.pdf(), "pdf")])
    stored = StoredFile.objects.get()
    assert stored.name.startswith("file-") and stored.name.endswith(".pdf")
    assert stored.original_filename == "报告.pdf"
    run_job(photos, [("报告.pdf", builders.pdf(pages=9), "pdf")])
    assert StoredFile.objects.get().page_count == 9


def test_names_no_database_can_hold_are_cleaned_for_the_record(photos, run_job):
    run_job(photos, [("nul\x00name\udcff.pdf", builders.pdf(), "pdf")])
    stored = StoredFile.objects.get()
    assert (stored.name, stored.original_filename) == ("nulname.pdf", "nul\ufffdname?.pdf")


def test_a_failed_write_removes_the_objects_it_had_written(photos, tmp_path):
    """Two rows for one name violate the unique constraint inside the transaction."""
    path = tmp_path / "a.pdf"
    path.write_bytes(builders.pdf())
    meta = file_meta_read(path, "pdf", max_pixels=1, max_exif_bytes=1)
    twice = [
        FileToStore(
            path=path,
            name=name,
            original_filename="a.pdf",
            format="pdf",
            meta=meta,
            timestamp=RECEIVED,
            timestamp_source="received",
        )
        for name in ("a.pdf", "b.pdf", "a.pdf")
    ]
    with pytest.raises(IntegrityError):
        files_store(data_source=photos, upload_id=None, files=twice)
    assert_nothing_stored(photos)


def test_a_float_geotiff_gets_a_grey_thumbnail(photos, run_job):
    done = run_job(photos, [("dem.tif", builders.geotiff(), "geotiff")])
    stored = StoredFile.objects.get()
    assert done.warnings == [] and (stored.width, stored.height) == (50, 40)
    thumbnail = Image.open(io.BytesIO(read_object(stored.thumbnail_key)))
    assert thumbnail.mode == "L" and thumbnail.size == (50, 40)


def test_a_geotiff_pillow_cannot_show_is_stored_without_thumbnail(photos, run_job):
    done = run_job(photos, [("bands.tif", builders.geotiff(bands=5), "geotiff")])
    stored = StoredFile.objects.get()
    assert (stored.thumbnail_key, stored.width) == ("", None)
    assert "stored without size or thumbnail" in done.warnings[0]


def test_a_truncated_photo_is_rejected(photos, run_job):
    cut = builders.photo(fmt="PNG", size=(400, 300))[:300]
    done = run_job(photos, [("cut.png", cut, "png")])
    (problem,) = done.problems
    assert problem.file == "cut.png" and "cannot be decoded" in problem.message
