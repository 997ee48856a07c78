"""Storage for files that only some people may see (dispute evidence): never under
MEDIA_ROOT, so neither Django's DEBUG media view nor a reverse proxy serving /media/ can
hand them out; a view that checks permissions streams them instead."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    # Read the setting at each use, so that tests can point it at a temporary folder.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def base_url(self):
        return None


def private_storage() -> PrivateStorage:
    return PrivateStorage()
