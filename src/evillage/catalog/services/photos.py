"""Product photos: add (through core.images), remove, reorder."""

import functools
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Product, ProductPhoto, ProductStatus
from evillage.catalog.services._rules import lock, require_product_manager
from evillage.core.errors import Conflict, NotFound, ValidationFailed
from evillage.core.ids import new_public_id
from evillage.core.images import ProcessedPhoto, process_photo


def _limit_reached() -> ValidationFailed:
    return ValidationFailed(
        _("A product can have at most %(max)d photos.") % {"max": settings.PHOTO_MAX_PER_PRODUCT},
        code="photo_limit",
        field="photos",
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def photos_add(*, product: Product, actor: User, uploads: list) -> list[ProductPhoto]:
    """Check and re-encode every upload first; store them only if all are good."""
    require_product_manager(actor, product.shop)
    if product.photos.count() + len(uploads) > settings.PHOTO_MAX_PER_PRODUCT:
        raise _limit_reached()
    processed: list[ProcessedPhoto] = [process_photo(upload) for upload in uploads]
    # Identical products and photo rights (evillage.sameitem, imported here because it
    # imports the catalogue): refuse a photo the shop lost the right to use; the
    # fingerprints computed for that are stored once the photos are committed.
    from evillage.sameitem.services import photos_fingerprint, uploads_check_rights

    prints = uploads_check_rights(shop=product.shop, files=[item.full for item in processed])
    saved_names: list[str] = []
    try:
        with transaction.atomic():
            locked = lock(product)
            count = locked.photos.count()
            if count + len(processed) > settings.PHOTO_MAX_PER_PRODUCT:
                raise _limit_reached()
            last = locked.photos.aggregate(last=Max("position"))["last"]
            position = -1 if last is None else last
            created = []
            for item in processed:
                position += 1
                photo = ProductPhoto(
                    product=locked, position=position, sha256=item.sha256, public_id=new_public_id()
                )
                stem = photo.public_id
                photo.image.save(f"{stem}.jpg", item.full, save=False)
                saved_names.append(photo.image.name)
                photo.medium.save(f"{stem}-m.jpg", item.medium, save=False)
                saved_names.append(photo.medium.name)
                photo.thumb.save(f"{stem}-t.jpg", item.thumb, save=False)
                saved_names.append(photo.thumb.name)
                # Set after the files: assigning them resets the ImageField's dimension fields.
                photo.width, photo.height = item.width, item.height
                photo.save()
                created.append(photo)
            locked.save(update_fields=["updated_at"])
            transaction.on_commit(
                functools.partial(
                    photos_fingerprint, photo_ids=[p.pk for p in created], prints=prints
                )
            )
    except BaseException:
        _delete_files(saved_names)  # the rows are gone with the rollback; so go the files
        raise
    return created


def photo_add(*, product: Product, actor: User, upload) -> ProductPhoto:
    return photos_add(product=product, actor=actor, uploads=[upload])[0]


def photo_remove(*, photo: ProductPhoto, actor: User) -> None:
    product = photo.product
    require_product_manager(actor, product.shop)
    with transaction.atomic():
        locked = lock(product)
        if locked.status == ProductStatus.ACTIVE and locked.photos.count() <= 1:
            raise Conflict(
                _("A product on sale needs a photo. Add another photo or delist it first."),
                code="photo_required",
            )
        names = [photo.image.name, photo.medium.name, photo.thumb.name]
        ProductPhoto.objects.filter(pk=photo.pk).delete()
        locked.photos.filter(position__gt=photo.position).update(position=F("position") - 1)
        transaction.on_commit(functools.partial(_delete_files, names))
        from evillage.sameitem.services import photo_forget  # imports the catalogue

        transaction.on_commit(functools.partial(photo_forget, photo_id=photo.pk))


def photo_hide(*, photo_id: int, reason: str, now: datetime) -> bool:
    """Stop showing a photo to buyers (photo rights, evillage.sameitem). No actor: the
    caller decided, in its own transaction. False if it was hidden already or is gone."""
    hidden = ProductPhoto.objects.filter(pk=photo_id, hidden_at=None)
    return bool(hidden.update(hidden_at=now, hidden_reason=reason[:200]))


def photo_show(*, photo_id: int) -> bool:
    """Show a hidden photo again (a licence, or a granted appeal)."""
    shown = ProductPhoto.objects.filter(pk=photo_id, hidden_at__isnull=False)
    return bool(shown.update(hidden_at=None, hidden_reason=""))


def photo_move(*, photo: ProductPhoto, actor: User, offset: int) -> ProductPhoto:
    """Move a photo one place left (-1) or right (+1); the first photo is the cover."""
    product = photo.product
    require_product_manager(actor, product.shop)
    if offset not in (-1, 1):
        raise ValidationFailed(_("Move a photo one place at a time."), code="bad_move")
    with transaction.atomic():
        locked = lock(product)
        photos = list(locked.photos.order_by("position", "id"))
        index = next((i for i, p in enumerate(photos) if p.pk == photo.pk), None)
        if index is None:
            raise NotFound(_("Photo not found."), code="not_found")
        target = index + offset
        if 0 <= target < len(photos):
            photos[index], photos[target] = photos[target], photos[index]
            for position, item in enumerate(photos):
                if item.position != position:
                    ProductPhoto.objects.filter(pk=item.pk).update(position=position)
    photo.refresh_from_db()
    return photo
