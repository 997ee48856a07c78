"""The image pipeline: check an upload, then re-encode it without any metadata.

Every photo a person uploads (product photos, shop logos) is decoded with Pillow
and written anew, so nothing of the original file survives: no EXIF (GPS position
of the seller's home, camera serial), no ICC profile, no comments, no payload
hidden after the image data.

Output is baseline-compatible progressive JPEG (RGB, quality 85). JPEG rather
than WebP: every phone, browser, e-mail client and the carriers' and
marketplaces' import tools read it, progressive JPEG shows a usable picture early
on a slow 3G link, and at quality 85 the size difference to WebP (~25%) matters
less than the thumbnails, which are what listings load.

Errors name the field `photos` (the product form's); a caller whose form calls the
upload something else re-raises with its own field (shops does, for the logo).
"""

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from evillage.core.errors import ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
FULL_SIDE = 1600
MEDIUM_SIDE = 800
THUMB_SIDE = 300
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ProcessedPhoto:
    full: ContentFile
    medium: ContentFile
    thumb: ContentFile
    width: int
    height: int
    sha256: str


def _not_an_image() -> ValidationFailed:
    return ValidationFailed(
        _("This file is not a photo we can read. Upload a JPEG, PNG, WebP or GIF image."),
        code="photo_not_image",
        field="photos",
    )


def _too_many_pixels() -> ValidationFailed:
    return ValidationFailed(
        _("This photo has too many pixels. Upload a photo of at most %(mp)d megapixels.")
        % {"mp": settings.PHOTO_MAX_PIXELS // 1_000_000},
        code="photo_too_many_pixels",
        field="photos",
    )


def _read_limited(upload) -> bytes:
    """Read the upload, refusing more than PHOTO_MAX_BYTES without reading it all."""
    limit = settings.PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    if not data:
        raise _not_an_image()
    return data


def _too_large() -> ValidationFailed:
    return ValidationFailed(
        _("This photo is too large. Upload a file of at most %(mb)d MB.")
        % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
        code="photo_too_large",
        field="photos",
    )


def _draft_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The smallest decoded size the outputs need: the image fitted in a `side` square
    (or the original if smaller), but every side at least THUMB_SIDE for the thumbnail."""
    scale = min(1.0, side / max(width, height))
    return (
        max(round(width * scale), min(width, THUMB_SIDE)),
        max(round(height * scale), min(height, THUMB_SIDE)),
    )


def decode_upload(upload, *, max_side: int = FULL_SIDE) -> Image.Image:
    """Check the upload and return its first frame, upright, as a metadata-free RGB image
    at least as large as the outputs need (longest side ≥ max_side when the photo has
    that many pixels); larger JPEGs are decoded at 1/2, 1/4 or 1/8 of their size.

    Raises ValidationFailed with code photo_too_large, photo_too_many_pixels or
    photo_not_image.
    """
    data = _read_limited(upload)
    with warnings.catch_warnings():
        # Pillow warns (and past twice the limit raises) on decompression bombs.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # verify() checks the structure but leaves the image unusable: reopen after it.
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                    raise _too_many_pixels()
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            image.seek(0)  # the first frame of an animated GIF or WebP
            if image.format == "JPEG":
                # A 40-megapixel photo decoded in full takes ~120 MB; scaled down by
                # the decoder, a few MB. The square box suits either orientation.
                image.draft("RGB", _draft_size(image.width, image.height, max_side))
            image.load()  # decodes everything: truncated data fails here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except ValidationFailed:
            raise
        except Exception:  # a malformed file, or not one of ACCEPTED_FORMATS
            raise _not_an_image() from None
    if image.width * image.height > settings.PHOTO_MAX_PIXELS:
        raise _too_many_pixels()
    with contextlib.suppress(Exception):  # a corrupt EXIF block must not lose the photo
        ImageOps.exif_transpose(image, in_place=True)
    return _flatten(image)


def _flatten(image: Image.Image) -> Image.Image:
    """An RGB image holding only pixels: transparency on white, no `info` at all.

    May return `image` itself (emptied of metadata) when it is already RGB.
    """
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode == "RGB":
        clean = image
    else:
        clean = image.convert("RGB")
    clean.info = {}
    return clean


def encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif/icc_profile/comment arguments: the encoder writes pixels only.
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def _fit_within(image: Image.Image, side: int) -> Image.Image:
    """The image scaled down to fit in a `side` square; the image itself if it fits."""
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def square(image: Image.Image, side: int = THUMB_SIDE) -> Image.Image:
    """Centre-cropped square: listing grids show every product the same shape."""
    return ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)


def process_photo(upload) -> ProcessedPhoto:
    """Full (≤1600 px), medium (≤800 px) and a 300×300 square thumbnail, as JPEG."""
    image = decode_upload(upload)
    full = _fit_within(image, FULL_SIDE)
    full_bytes = encode_jpeg(full)
    return ProcessedPhoto(
        full=ContentFile(full_bytes),
        medium=ContentFile(encode_jpeg(_fit_within(image, MEDIUM_SIDE))),
        thumb=ContentFile(encode_jpeg(square(image))),
        width=full.width,
        height=full.height,
        sha256=hashlib.sha256(full_bytes).hexdigest(),
    )


def process_logo(upload) -> ContentFile:
    """A shop logo: the same checks, one 300×300 square JPEG."""
    return ContentFile(encode_jpeg(square(decode_upload(upload, max_side=THUMB_SIDE))))


def process_attachment(upload, *, side: int = 1280) -> ContentFile:
    """A photo sent in a conversation or as evidence: the same checks, one JPEG that
    fits in a `side` square."""
    return ContentFile(encode_jpeg(_fit_within(decode_upload(upload, max_side=side), side)))
