from django.apps import AppConfig
from django.conf import settings
from PIL import Image

from sluis.kinds import kind_register


class FilesConfig(AppConfig):
    name = "sluis.datastore.files"
    label = "datastore_files"
    verbose_name = "Stored files"

    def ready(self) -> None:
        # Imported here, not at the top: a kind's processor and exporters use this app's
        # models, which Django loads only after every AppConfig is created.
        from sluis.datastore.files.kind import KIND

        kind_register(KIND)
        # Pillow's own decompression-bomb check uses this process-wide budget; the image reader
        # also checks every image against the same setting explicitly before decoding.
        Image.MAX_IMAGE_PIXELS = settings.SLUIS_FILES_MAX_IMAGE_PIXELS
