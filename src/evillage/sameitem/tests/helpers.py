"""Test helpers: real fixture photos (as uploads, copied, resized or recompressed), shops
of each kind, listings, and photo uploads that run their after-commit work."""

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from evillage.catalog.models import ProductPhoto
from evillage.catalog.services import photos_add
from evillage.catalog.tests.factories import ProductFactory
from evillage.shops.models import ShopKind
from evillage.shops.tests.factories import ShopFactory

FIXTURES = Path(__file__).parent / "fixtures"


def picture(name: str) -> Image.Image:
    with Image.open(FIXTURES / f"{name}.jpg") as image:
        return image.convert("RGB")


def upload(
    name: str,
    *,
    scale: float = 1.0,
    quality: int = 90,
    crop: float = 0.0,
    fmt: str = "JPEG",
    filename: str = "photo.jpg",
) -> SimpleUploadedFile:
    """A fixture picture as a seller would upload it: optionally scaled, cropped by a
    fraction on every side, and recompressed."""
    image = picture(name)
    if crop:
        dx, dy = round(image.width * crop), round(image.height * crop)
        image = image.crop((dx, dy, image.width - dx, image.height - dy))
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return SimpleUploadedFile(filename, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def supplier_shop(**kwargs):
    return ShopFactory(kind=ShopKind.SUPPLIER, **kwargs)


def retail_shop(**kwargs):
    return ShopFactory(kind=ShopKind.INDIVIDUAL, **kwargs)


def listing(shop, *, price: int = 19900, **kwargs):
    return ProductFactory(shop=shop, skus=[("标准", price, 10)], **kwargs)


def add_photos(product, *uploads) -> list[ProductPhoto]:
    """Upload through the catalogue, then run what waits for the commit (fingerprints,
    photo rights) as a real request would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return photos_add(product=product, actor=product.shop.owner, uploads=list(uploads))


def add_photo(product, name: str, **kwargs) -> ProductPhoto:
    return add_photos(product, upload(name, **kwargs))[0]
