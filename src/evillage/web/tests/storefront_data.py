"""Test data for storefront pages: real (tiny) photos, without the upload pipeline."""

import io

from django.core.files.base import ContentFile
from PIL import Image

from evillage.catalog.models import Product, ProductPhoto


def jpeg(size: tuple[int, int], colour: str = "orange") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=70)
    return ContentFile(buffer.getvalue())


def add_photo(product: Product, *, position: int = 0, size=(1600, 1200)) -> ProductPhoto:
    """A photo whose stored full size is `size`; the files themselves are tiny."""
    photo = ProductPhoto(product=product, position=position, sha256=f"{position:064d}")
    photo.image.save(f"full-{position}.jpg", jpeg((16, 12)), save=False)
    photo.medium.save(f"medium-{position}.jpg", jpeg((8, 6)), save=False)
    photo.thumb.save(f"thumb-{position}.jpg", jpeg((3, 3)), save=False)
    # The width/height fields follow the (tiny) file; record the size it stands for.
    photo.width, photo.height = size
    photo.save()
    return photo
