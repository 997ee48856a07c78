"""Storing photo fingerprints and keeping the index in step.

The catalogue calls `uploads_check_rights` before it stores an upload (to refuse a photo
the shop lost the right to use, and to compute the fingerprints once), then
`photos_fingerprint` after the upload's transaction committed, and `photo_forget` after a
photo's deletion committed. Both run synchronously in `on_commit`: a photo takes a few
milliseconds to fingerprint and register, which suits village scale; the worker's sweep
(`photos_fingerprint_missing`) fills in any photo a crash left without fingerprints.
"""

import contextlib
import functools
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from evillage.catalog.models import ProductPhoto
from evillage.sameitem import shared_index
from evillage.sameitem.models import PhotoFingerprint
from evillage.sameitem.prints import Prints, prints_of_file
from evillage.sameitem.services.rights import check_not_blocked, rights_on_upload
from evillage.shops.models import Shop

logger = logging.getLogger(__name__)

# A photo stored this long ago without fingerprints was missed (a crash after commit).
MISSED_AFTER = timedelta(minutes=2)


def uploads_check_rights(*, shop: Shop, files: list) -> list[Prints]:
    """Fingerprints of processed uploads (our own re-encoded JPEGs), in order; raises
    Conflict `photo_rights_blocked` if one is a supplier's photo the shop may not use."""
    prints = [prints_of_file(file) for file in files]
    check_not_blocked(shop=shop, prints=prints)
    return prints


def photos_fingerprint(*, photo_ids: list[int], prints: list[Prints] | None = None) -> int:
    """Fingerprint and register committed photos; returns how many were new.

    Runs after the upload's commit: the photos are stored whatever happens here, so a
    failure is logged, not raised (the worker's sweep fingerprints the photo later).
    Django's own `robust=True` cannot be used: it fails on a functools.partial.
    """
    done = 0
    for position, photo_id in enumerate(photo_ids):
        given = prints[position] if prints is not None else None
        try:
            done += photo_fingerprint(photo_id=photo_id, prints=given)
        except Exception:
            logger.exception("photo %s could not be fingerprinted", photo_id)
    return done


def photo_fingerprint(
    *, photo_id: int, prints: Prints | None = None, now: datetime | None = None
) -> bool:
    """Store a photo's fingerprints, apply the photo-rights rules to it, and add it to the
    index. False when the photo is gone or was done before (safe to call twice).

    Locks the IndexState row first: the writers' queue that keeps fingerprint ids in
    commit order and lets the rights check see every photo stored before this one.
    """
    now = now or timezone.now()
    if prints is None:
        photo = ProductPhoto.objects.filter(pk=photo_id).only("image").first()
        if photo is None:
            return False
        with photo.image.open("rb") as file:
            prints = prints_of_file(file)
    with transaction.atomic():
        state = shared_index.lock_state()
        photo = ProductPhoto.objects.select_related("product__shop").filter(pk=photo_id).first()
        if photo is None or PhotoFingerprint.objects.filter(photo=photo).exists():
            return False
        rights_on_upload(photo=photo, prints=prints, state=state, now=now)
        query = set(prints.query)
        values = list(dict.fromkeys([*prints.indexed, *prints.query]))
        PhotoFingerprint.objects.bulk_create(
            PhotoFingerprint(
                photo=photo,
                value=value,
                indexed=value in prints.indexed,
                for_query=value in query,
            )
            for value in values
        )
        indexed = list(prints.indexed)
        state.added += len(indexed)
        state.save(update_fields=["added"])
        max_id = PhotoFingerprint.objects.filter(photo=photo).aggregate(m=Max("pk"))["m"] or 0
        transaction.on_commit(
            functools.partial(
                shared_index.apply_added,
                photo_id=photo.pk,
                values=indexed,
                added=state.added,
                max_id=max_id,
            )
        )
    return True


def photo_forget(*, photo_id: int) -> None:
    """After a photo's deletion committed (its fingerprints went with it): tell every
    process's index. The sweep withdraws an open case whose photo is gone. A failure is
    logged, not raised: the deletion stands, and other processes merely keep a stale
    entry that lookups drop (matches are resolved against the database)."""
    try:
        _count_removal(photo_id)
    except Exception:
        logger.exception("removal of photo %s not counted", photo_id)


def _count_removal(photo_id: int) -> None:
    with transaction.atomic():
        state = shared_index.lock_state()
        state.removed += 1
        state.save(update_fields=["removed"])
        transaction.on_commit(
            functools.partial(shared_index.apply_removed, photo_id=photo_id, removed=state.removed)
        )


def photos_without_fingerprints(*, before: datetime | None = None):
    photos = ProductPhoto.objects.filter(fingerprints__isnull=True)
    if before is not None:
        photos = photos.filter(uploaded_at__lt=before)
    return photos.order_by("pk")


def photos_backfill(
    *,
    photo_ids: Iterable[int],
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Fingerprint the photos, oldest first (so the first uploader of a picture is the
    one a supplier claim goes to); `progress(1)` after each. Returns how many were new."""
    done = 0
    for photo_id in sorted(photo_ids):
        # A missing or unreadable file is skipped (and tried again next time).
        with contextlib.suppress(OSError, ValueError):
            done += photo_fingerprint(photo_id=photo_id)
        progress(1)
    return done


def photos_fingerprint_missing(*, now: datetime | None = None, limit: int = 200) -> int:
    """The sweep's part: photos a crash left without fingerprints."""
    now = now or timezone.now()
    ids = list(
        photos_without_fingerprints(before=now - MISSED_AFTER).values_list("pk", flat=True)[:limit]
    )
    return photos_backfill(photo_ids=ids)
