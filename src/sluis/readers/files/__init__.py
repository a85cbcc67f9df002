"""File readers: metadata (size, digest, EXIF, pages, duration), thumbnails, names."""
