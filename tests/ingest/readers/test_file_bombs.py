"""Hostile files read in a separate process whose address space is capped at 384 MiB (less
than the PDF bomb inflates to): each is rejected or read without its metadata, within seconds,
and the process survives."""

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.datastore.files import builders

PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (384 << 20, 384 << 20))
from pathlib import Path
from sluis.readers.files.images import ImageRejected, image_thumbnail
from sluis.readers.files.meta import file_meta_read
outcome = {}
for path, fmt in json.loads(sys.argv[1]):
    try:
        meta = file_meta_read(Path(path), fmt, max_pixels=100_000_000, max_exif_bytes=1 << 20)
        if fmt in ("png", "jpeg"):
            image_thumbnail(Path(path), fmt, max_pixels=100_000_000, size=256)
        outcome[Path(path).name] = ["read", meta.page_count, meta.duration, meta.warnings]
    except ImageRejected as exc:
        outcome[Path(path).name] = ["rejected", str(exc)]
print(json.dumps(outcome))
"""


def test_bombs_are_handled_in_bounded_time_and_memory(tmp_path):
    files = {
        "pixels.png": (builders.png_declaring(100_000, 100_000), "png"),
        "exif.png": (builders.png_with_exif_chunk(8_000_000), "png"),
        "loop.jpg": (builders.jpeg_with_looping_exif(), "jpeg"),
        "deflate.pdf": (builders.pdf_with_deflate_bomb(), "pdf"),
        "boxes.mp4": (builders.mp4_of_tiny_boxes(), "mp4"),
    }
    args = []
    for name, (data, fmt) in files.items():
        (tmp_path / name).write_bytes(data)
        args.append([str(tmp_path / name), fmt])
    src = Path(__file__).resolve().parents[3] / "src"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 20
    outcome = json.loads(done.stdout)
    assert outcome["pixels.png"][0] == "rejected" and "bomb" in outcome["pixels.png"][1]
    assert outcome["exif.png"][0] == "rejected" and "EXIF block" in outcome["exif.png"][1]
    assert outcome["loop.jpg"][0] == "read" and "corrupt" in outcome["loop.jpg"][3][0]
    assert outcome["deflate.pdf"][:2] == ["read", None]
    assert outcome["boxes.mp4"][:3] == ["read", None, None]
