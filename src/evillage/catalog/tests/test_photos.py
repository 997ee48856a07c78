"""The photo pipeline: only real images get in, and nothing but pixels comes out."""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from evillage.accounts.tests.factories import VerifiedSellerFactory
from evillage.catalog.models import ProductPhoto, ProductStatus
from evillage.catalog.services import photo_add, photo_move, photo_remove, photos_add
from evillage.catalog.tests.factories import ProductFactory, image_upload
from evillage.core.errors import DomainError, NotFound
from evillage.core.images import decode_upload, process_logo

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(1200, 900), orientation=None) -> SimpleUploadedFile:
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (34.0, 12.0, 30.0)
    gps[3] = "E"
    gps[4] = (118.0, 7.0, 10.0)
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"seller home", icc_profile=b"fake-icc" * 10)
    return SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")


def png_bomb_header(width=100_000, height=100_000) -> SimpleUploadedFile:
    """A tiny PNG whose header claims enormous dimensions."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    data += chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


@pytest.fixture
def product():
    return ProductFactory(status=ProductStatus.DRAFT)


def add(product, upload):
    return photo_add(product=product, actor=product.shop.owner, upload=upload)


def open_stored(field) -> Image.Image:
    with default_storage.open(field.name) as stored:
        return Image.open(io.BytesIO(stored.read()))


def test_gps_exif_comment_and_icc_are_gone_after_upload(product):
    photo = add(product, jpeg_with_gps())
    for field in (photo.image, photo.medium, photo.thumb):
        image = open_stored(field)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert "comment" not in image.info
        with default_storage.open(field.name) as stored:
            raw = stored.read()
        assert b"PhoneMaker" not in raw and b"seller home" not in raw and b"fake-icc" not in raw


def test_three_sizes_and_the_sha256_of_the_full_image(product):
    photo = add(product, image_upload(size=(4000, 3000)))
    full, medium, thumb = (open_stored(f) for f in (photo.image, photo.medium, photo.thumb))
    assert full.size == (1600, 1200) == (photo.width, photo.height)
    assert medium.size == (800, 600)
    assert thumb.size == (300, 300)
    with default_storage.open(photo.image.name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == photo.sha256
    assert photo.image.name.startswith("products/")


def big_jpeg(size=(7680, 5144), orientation=None) -> SimpleUploadedFile:
    """A camera-sized JPEG (39.5 megapixels): small on disk, huge once decoded."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70, exif=exif)
    return SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_39_megapixel_jpeg_is_decoded_scaled_down(settings):
    """The decoder scales a big JPEG down (draft) instead of holding 120 MB of pixels;
    what comes out is still at least as large as the full-size version needs."""
    image = decode_upload(big_jpeg())
    assert image.mode == "RGB"
    assert 1600 <= max(image.size) <= 2 * 1600
    assert image.size == (1920, 1286)


def test_a_big_rotated_jpeg_gives_upright_outputs_of_the_right_sizes(product):
    photo = add(product, big_jpeg(orientation=6))  # taken with the phone upright
    full, medium, thumb = (open_stored(f) for f in (photo.image, photo.medium, photo.thumb))
    assert full.size == (1072, 1600) == (photo.width, photo.height)
    assert medium.size == (536, 800)
    assert thumb.size == (300, 300)
    # The gradient runs top to bottom in the file; upright, it runs right to left.
    assert full.getpixel((1000, 800))[0] < full.getpixel((50, 800))[0]


def test_a_big_logo_is_a_300_pixel_square():
    logo = Image.open(process_logo(big_jpeg()))
    assert (logo.format, logo.size) == ("JPEG", (300, 300))


def test_a_file_named_jpg_in_another_format_is_refused_before_decoding(product):
    """Only the accepted decoders are even tried (Image.open(formats=...))."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PPM")
    with pytest.raises(DomainError) as excinfo:
        add(product, SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg"))
    assert excinfo.value.code == "photo_not_image"


def test_small_photos_are_not_enlarged(product):
    photo = add(product, image_upload(size=(500, 400)))
    assert (photo.width, photo.height) == (500, 400)


def test_exif_orientation_is_applied_before_it_is_dropped(product):
    photo = add(product, jpeg_with_gps(size=(1200, 600), orientation=6))  # rotate 90°
    assert (photo.width, photo.height) == (600, 1200)


@pytest.mark.parametrize(
    "upload",
    [
        image_upload("a.png", fmt="PNG", alpha=True, color=(0, 0, 0, 0)),
        image_upload("a.webp", fmt="WEBP"),
        image_upload("a.gif", fmt="GIF", color="red"),
    ],
    ids=["png-alpha", "webp", "gif"],
)
def test_png_webp_gif_become_rgb_jpeg(product, upload):
    photo = add(product, upload)
    image = open_stored(photo.image)
    assert (image.format, image.mode) == ("JPEG", "RGB")


def test_transparent_png_is_flattened_on_white(product):
    photo = add(product, image_upload("a.png", fmt="PNG", alpha=True, color=(0, 0, 0, 0)))
    r, g, b = open_stored(photo.image).convert("RGB").getpixel((10, 10))
    assert min(r, g, b) > 240


def test_animated_gif_keeps_its_first_frame(product):
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    photo = add(product, SimpleUploadedFile("a.gif", buffer.getvalue()))
    r, _g, b = open_stored(photo.image).getpixel((5, 5))
    assert r > 200 and b < 60


def truncated_jpeg() -> SimpleUploadedFile:
    data = image_upload(size=(800, 600)).read()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")


@pytest.mark.parametrize(
    ("make_upload", "code"),
    [
        (lambda: SimpleUploadedFile("notes.jpg", b"this is not a photo\n" * 20), "photo_not_image"),
        (lambda: SimpleUploadedFile("empty.jpg", b""), "photo_not_image"),
        (truncated_jpeg, "photo_not_image"),
        (lambda: image_upload("a.bmp", fmt="BMP"), "photo_not_image"),
        (lambda: image_upload("a.tiff", fmt="TIFF"), "photo_not_image"),
        (png_bomb_header, "photo_too_many_pixels"),
        (lambda: png_bomb_header(8000, 6000), "photo_too_many_pixels"),
    ],
    ids=["text", "empty", "truncated-jpeg", "bmp", "tiff", "png-bomb", "over-limit"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(product, make_upload, code, settings):
    with pytest.raises(DomainError) as excinfo:
        add(product, make_upload())
    assert excinfo.value.code == code
    assert not ProductPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "products").exists()


def test_too_many_bytes_is_refused(product, settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(DomainError) as excinfo:
        add(product, image_upload(size=(800, 600), quality=100))
    assert excinfo.value.code == "photo_too_large"


def test_photo_limit_per_product(product, settings):
    settings.PHOTO_MAX_PER_PRODUCT = 2
    add(product, image_upload())
    with pytest.raises(DomainError) as excinfo:
        photos_add(
            product=product,
            actor=product.shop.owner,
            uploads=[image_upload(), image_upload()],
        )
    assert excinfo.value.code == "photo_limit"
    assert product.photos.count() == 1


def test_one_bad_file_in_a_batch_stores_none(product, settings):
    with pytest.raises(DomainError):
        photos_add(
            product=product,
            actor=product.shop.owner,
            uploads=[image_upload(), SimpleUploadedFile("x.jpg", b"nope")],
        )
    assert not product.photos.exists()
    assert not (settings.MEDIA_ROOT / "products").exists()


def test_move_and_remove_keep_positions_dense(product, django_capture_on_commit_callbacks):
    owner = product.shop.owner
    first, second, third = (add(product, image_upload()) for _ in range(3))
    photo_move(photo=third, actor=owner, offset=-1)
    assert list(product.photos.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    photo_move(photo=first, actor=owner, offset=-1)  # already first: stays
    assert product.photos.first().pk == first.pk
    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(photo=first, actor=owner)
    assert list(product.photos.values_list("pk", "position")) == [(third.pk, 0), (second.pk, 1)]
    assert not default_storage.exists(first.image.name)


def test_the_last_photo_of_a_product_on_sale_stays(product):
    photo = add(product, image_upload())
    product.status = ProductStatus.ACTIVE
    product.save()
    with pytest.raises(DomainError) as excinfo:
        photo_remove(photo=photo, actor=product.shop.owner)
    assert excinfo.value.code == "photo_required"
    assert product.photos.count() == 1


def test_another_seller_cannot_add_or_remove_photos(product):
    photo = add(product, image_upload())
    other = VerifiedSellerFactory()
    with pytest.raises(NotFound):
        photo_add(product=product, actor=other, upload=image_upload())
    with pytest.raises(NotFound):
        photo_remove(photo=photo, actor=other)
    assert product.photos.count() == 1
