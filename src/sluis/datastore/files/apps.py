from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "sluis.datastore.files"
    label = "datastore_files"
    verbose_name = "Stored files"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb check uses this process-wide budget; the image reader
        # also checks every image against the same setting explicitly before decoding.
        Image.MAX_IMAGE_PIXELS = settings.SLUIS_FILES_MAX_IMAGE_PIXELS
