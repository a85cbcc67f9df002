import hashlib
import io
import time
from datetime import UTC, datetime

import pytest
from PIL import Image

from sluis.readers.files.images import ImageRejected, image_info, image_thumbnail
from sluis.readers.files.meta import file_meta_read, name_mismatch, pdf_page_count
from sluis.readers.files.video import video_duration
from tests.datastore.files import builders

BUDGET = {"max_pixels": 100_000_000, "max_exif_bytes": 1024 * 1024}


@pytest.fixture
def write(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def test_a_photo_gives_size_capture_time_with_offset_and_position(write):
    taken = datetime(2024, 5, 1, 10, 11, 12)
    data = builders.photo(taken=taken, offset="+02:00", position=(52.0916, -5.1214))
    meta = file_meta_read(write("p.jpg", data), "jpeg", **BUDGET)
    assert (meta.width, meta.height) == (640, 480)
    assert meta.taken_at == datetime(2024, 5, 1, 8, 11, 12, tzinfo=UTC)
    assert meta.latitude == pytest.approx(52.0916, abs=1e-6)
    assert meta.longitude == pytest.approx(-5.1214, abs=1e-6)
    assert meta.size == len(data) and meta.sha256 == hashlib.sha256(data).hexdigest()
    assert meta.content_type == "image/jpeg" and meta.warnings == []


def test_a_capture_time_without_offset_is_naive(write):
    data = builders.photo(taken=datetime(2024, 5, 1, 10, 11, 12))
    assert file_meta_read(write("p.jpg", data), "jpeg", **BUDGET).taken_at.tzinfo is None


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "WEBP"])
def test_exif_is_read_from_other_image_formats_too(write, fmt):
    data = builders.photo(fmt=fmt, taken=datetime(2023, 1, 2, 3, 4, 5), position=(-33.5, 151.25))
    meta = file_meta_read(write("p.img", data), fmt.lower(), **BUDGET)
    assert meta.taken_at == datetime(2023, 1, 2, 3, 4, 5)
    assert (meta.latitude, meta.longitude) == pytest.approx((-33.5, 151.25), abs=1e-6)


def test_a_gif_has_a_size_and_no_time(write):
    meta = file_meta_read(
        write("a.gif", builders.photo(fmt="GIF", mode="P", color=3)), "gif", **BUDGET
    )
    assert (meta.width, meta.height, meta.taken_at) == (640, 480, None)


def test_an_impossible_exif_time_is_ignored_with_a_warning(write):
    image = Image.new("RGB", (8, 8))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "0000:00:00 00:00:00"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    meta = file_meta_read(write("p.jpg", buffer.getvalue()), "jpeg", **BUDGET)
    assert meta.taken_at is None and "not a valid time" in meta.warnings[0]


def test_a_png_declaring_ten_billion_pixels_is_rejected_before_decoding(write):
    path = write("bomb.png", builders.png_declaring(100_000, 100_000))
    started = time.monotonic()
    with pytest.raises(ImageRejected, match="decompression bomb"):
        file_meta_read(path, "png", **BUDGET)
    with pytest.raises(ImageRejected):
        image_thumbnail(path, "png", max_pixels=BUDGET["max_pixels"], size=256)
    assert time.monotonic() - started < 1


def test_a_geotiff_declaring_a_million_by_a_million_pixels_is_rejected(write):
    path = write("huge.tif", builders.tiff_declaring(1_000_000, 1_000_000))
    with pytest.raises(ImageRejected, match="decompression bomb"):
        file_meta_read(path, "geotiff", **BUDGET)


def test_a_small_hand_made_tiff_is_read(write):
    meta = file_meta_read(write("small.tif", builders.tiff_declaring(4, 4)), "tiff", **BUDGET)
    assert (meta.width, meta.height, meta.warnings) == (4, 4, [])


def test_an_image_over_the_configured_budget_is_rejected_with_its_size(write):
    path = write("big.png", builders.png_declaring(5_000, 4_000))
    with pytest.raises(ImageRejected, match="5,000 x 4,000 pixels"):
        image_info(path, "png", max_pixels=10_000_000, max_exif_bytes=1024)


def test_an_oversized_exif_block_is_rejected(write):
    path = write("exif.png", builders.png_with_exif_chunk(4_000_000))
    started = time.monotonic()
    with pytest.raises(ImageRejected, match="EXIF block of 4,000,006 bytes"):
        file_meta_read(path, "png", **BUDGET)
    assert time.monotonic() - started < 1


def test_looping_exif_with_absurd_counts_is_ignored_quickly_with_a_warning(write):
    path = write("loop.jpg", builders.jpeg_with_looping_exif())
    started = time.monotonic()
    meta = file_meta_read(path, "jpeg", **BUDGET)
    assert time.monotonic() - started < 1
    assert meta.taken_at is None and meta.latitude is None
    assert "corrupt" in meta.warnings[0]


def test_content_of_another_format_is_not_opened_by_the_wrong_plugin(write):
    path = write("p.jpg", builders.photo(fmt="PNG"))
    with pytest.raises(ImageRejected, match="not a readable JPEG"):
        file_meta_read(path, "jpeg", **BUDGET)


def test_a_truncated_image_has_no_thumbnail(write):
    path = write("cut.png", builders.photo(fmt="PNG", size=(400, 300))[:300])
    with pytest.raises(ImageRejected, match="cannot be decoded"):
        image_thumbnail(path, "png", max_pixels=BUDGET["max_pixels"], size=256)


def test_thumbnails_fit_256_pixels_and_are_turned_upright(write):
    # Orientation 6: the camera was turned; the upright picture is 480 wide and 640 high.
    path = write("p.jpg", builders.photo(size=(640, 480), orientation=6))
    thumbnail = image_thumbnail(path, "jpeg", max_pixels=BUDGET["max_pixels"], size=256)
    shown = Image.open(io.BytesIO(thumbnail.data))
    assert thumbnail.content_type == "image/jpeg" and shown.format == "JPEG"
    assert shown.size == (192, 256)


def test_transparent_images_get_png_thumbnails(write):
    data = builders.photo(fmt="PNG", mode="RGBA", color=(0, 0, 255, 100), size=(1000, 500))
    thumbnail = image_thumbnail(write("t.png", data), "png", max_pixels=10**8, size=256)
    shown = Image.open(io.BytesIO(thumbnail.data))
    assert (thumbnail.content_type, shown.mode, shown.size) == ("image/png", "RGBA", (256, 128))


def test_sixteen_bit_tiffs_get_a_visible_thumbnail(write):
    image = Image.new("I;16", (300, 300))
    image.paste(60000, (0, 0, 150, 300))
    buffer = io.BytesIO()
    image.save(buffer, "TIFF")
    thumbnail = image_thumbnail(
        write("dem.tif", buffer.getvalue()), "geotiff", max_pixels=10**8, size=64
    )
    shown = Image.open(io.BytesIO(thumbnail.data)).convert("L")
    assert shown.getpixel((5, 30)) > 200 and shown.getpixel((60, 30)) < 50


def test_a_pdf_gives_its_page_count(write):
    assert pdf_page_count(write("r.pdf", builders.pdf(pages=7))) == 7


def test_an_unreadable_pdf_is_stored_without_a_page_count(write):
    meta = file_meta_read(write("r.pdf", b"%PDF-1.4\n garbage"), "pdf", **BUDGET)
    assert meta.page_count is None and meta.warnings == ["the PDF page count could not be read"]


@pytest.mark.parametrize(
    ("fmt", "data", "seconds"),
    [
        ("mp4", builders.mp4(12.5), 12.5),
        ("mov", builders.mp4(61, timescale=600, brand=b"qt  "), 61.0),
        ("avi", builders.avi(frames=250, fps=25), 10.0),
        ("mkv", builders.matroska(42.5), 42.5),
        ("webm", builders.matroska(3.0, doctype=b"webm"), 3.0),
    ],
)
def test_videos_give_their_duration(write, fmt, data, seconds):
    assert video_duration(write(f"v.{fmt}", data), fmt) == pytest.approx(seconds)


def test_an_mp4_whose_header_comes_after_the_media_data_is_read(write):
    boxes = builders.mp4(5)
    ftyp_end = int.from_bytes(boxes[:4], "big")
    moov_end = ftyp_end + int.from_bytes(boxes[ftyp_end : ftyp_end + 4], "big")
    mdat = b"\x00\x10\x00\x08mdat" + bytes(0x100000)
    data = boxes[:ftyp_end] + mdat + boxes[ftyp_end:moov_end]
    assert video_duration(write("late.mp4", data), "mp4") == pytest.approx(5)


def test_a_video_of_a_million_tiny_boxes_stops_at_the_read_budget(write):
    boxes = builders.mp4(5)
    ftyp_end = int.from_bytes(boxes[:4], "big")
    data = boxes[:ftyp_end] + b"\x00\x00\x00\x08free" * 1_000_000 + boxes[ftyp_end:]
    started = time.monotonic()
    assert video_duration(write("boxes.mp4", data), "mp4") is None
    assert time.monotonic() - started < 5


def test_garbage_named_as_video_has_no_duration(write):
    assert video_duration(write("x.mkv", b"\x1a\x45\xdf\xa3" + b"\xff" * 500), "mkv") is None


@pytest.mark.parametrize(
    ("name", "fmt", "fits"),
    [
        ("IMG_1.JPG", "jpeg", True),
        ("clip.mp4", "mov", True),
        ("data.csv", "txt", True),
        ("ortho.tif", "geotiff", True),
        ("no-extension", "pdf", True),
        ("photo.jpg", "png", False),
        ("report.pdf", "jpeg", False),
        ("setup.exe", "jpeg", False),
        ("page.html", "txt", False),
    ],
)
def test_names_must_fit_the_sniffed_content(name, fmt, fits):
    assert (name_mismatch(name, fmt) == "") is fits


def test_without_the_optional_video_extra_a_video_has_no_duration(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "clip.mp4"
    path.write_bytes(builders.mp4(12.5))
    code = (
        "import sys; sys.modules['hachoir'] = None\n"  # as if `sluis[video]` were not installed
        "from pathlib import Path\n"
        "from sluis.readers.files.video import video_duration\n"
        f"print(video_duration(Path({str(path)!r}), 'mp4'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"
    assert video_duration(path, "mp4") == 12.5  # and with it installed, the duration
