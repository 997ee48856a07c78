"""A photo's fingerprints as the rest of the app handles them: computed from a decoded
image, from our own re-encoded JPEG bytes, or from a stored photo file."""

import io
from dataclasses import dataclass

from PIL import Image

from evillage.sameitem.fingerprint import photo_fingerprints, query_fingerprints


@dataclass(frozen=True)
class Prints:
    """`indexed`: what goes into the index (the whole picture and its crop variants);
    `query`: the few a lookup starts from."""

    indexed: tuple[int, ...]
    query: tuple[int, ...]


def prints_of_image(image: Image.Image) -> Prints:
    return Prints(
        indexed=tuple(dict.fromkeys(photo_fingerprints(image))),
        query=tuple(dict.fromkeys(query_fingerprints(image))),
    )


def prints_of_file(file) -> Prints:
    """Fingerprints of an image file the platform wrote itself (a processed upload's
    ContentFile, or a stored photo): no upload checks needed, it is our own JPEG. The
    file is left at its start for whoever reads it next."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    with Image.open(io.BytesIO(data)) as image:
        return prints_of_image(image.convert("RGB"))
