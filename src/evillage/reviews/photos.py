"""Photos of hidden reviews leave the public media folder.

A review is hidden because it breaks the rules, often because of a photo (someone's
face, an address, an insult); its photos must then stop being reachable by their public
URL, which anyone may have copied. On hiding, the files move to private storage (same
names) once the hiding has committed; on showing the review again they move back. The
author, the shop's staff and operators still see them, streamed by `photo_view`.

The moves are idempotent (a file already where it belongs is left alone); a review whose
files have not followed its state (`photos_private` differs from `is_hidden`, after a
crash or a storage error) is settled by the worker's sweep.
"""

import logging

from django.core.files.storage import Storage, default_storage
from django.urls import reverse

from evillage.core.storage import private_storage
from evillage.reviews.models import PHOTOS_TO_SETTLE, Review, ReviewPhoto

log = logging.getLogger(__name__)

SIZES = ("full", "thumb")


def _names(photo: ReviewPhoto) -> list[str]:
    return [name for name in (photo.image.name, photo.thumb.name) if name]


def _move(name: str, source: Storage, target: Storage) -> None:
    if not source.exists(name):
        return  # moved already (or lost: nothing to hide)
    if not target.exists(name):
        with source.open(name, "rb") as f:
            saved = target.save(name, f)
        if saved != name:  # never expected: the same name is free in the target
            raise RuntimeError(f"review photo {name} saved as {saved}")
    source.delete(name)


def settle_photos(review_id: int) -> bool:
    """Put the review's photo files where its current state wants them; True when done.

    The state is read again after the moves: if an operator changed it meanwhile, the
    flag is left for the next settle rather than recorded wrongly."""
    review = Review.objects.filter(pk=review_id).only("is_hidden").first()
    if review is None:
        return False
    hidden = review.is_hidden
    public, private = default_storage, private_storage()
    source, target = (public, private) if hidden else (private, public)
    for photo in ReviewPhoto.objects.filter(review_id=review_id):
        for name in _names(photo):
            try:
                _move(name, source, target)
            except OSError:
                log.exception("could not move review photo %s", name)
                return False
    return bool(Review.objects.filter(pk=review_id, is_hidden=hidden).update(photos_private=hidden))


def settle_pending_photos(limit: int = 200) -> int:
    """Settle reviews whose photo files lag behind their state; returns how many."""
    lagging = Review.objects.filter(PHOTOS_TO_SETTLE).order_by("pk")
    ids = list(lagging.values_list("pk", flat=True)[:limit])
    return sum(settle_photos(review_id) for review_id in ids)


def photo_url(photo: ReviewPhoto, size: str) -> str:
    """The public URL of a visible review's photo, the guarded view's for a hidden one."""
    field = photo.image if size == "full" else photo.thumb
    if photo.review.is_hidden:
        return reverse("reviews:photo", args=[photo.pk, size])
    return field.url


def open_photo(photo: ReviewPhoto, size: str):
    """The file wherever it is now (private while hidden; public otherwise or mid-move)."""
    name = (photo.image if size == "full" else photo.thumb).name
    for storage in (private_storage(), default_storage):
        if storage.exists(name):
            return storage.open(name, "rb")
    return None
