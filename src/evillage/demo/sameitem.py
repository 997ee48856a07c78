"""Demo identical products and photo rights: every demo photo fingerprinted, and one
retail shop re-listing a supplier's product with the supplier's own photo, so that the
product page shows "1 other shop sells this", the supplier's "My photos" page shows the
use, and the retail shop's "Photo rights" page shows the flagged photo with its deadline.

Through the real services (the copy is uploaded like any photo); idempotent: a second run
finds the copy by its title and adds nothing.
"""

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from evillage.catalog import services as catalog
from evillage.catalog.models import ProductPhoto, ProductStatus
from evillage.sameitem.services import photos_backfill, photos_without_fingerprints
from evillage.shops.models import Shop, ShopKind

SUPPLIER = "候儿小商品批发"
COPIER = "义乌玩具屋"
COPY_SUFFIX = "（同款）"


def seed_sameitem(*, say: Callable[[str], None] = lambda _: None) -> int:
    """Add the copied listing, then fingerprint whatever has no fingerprints yet (photos
    from before this app; and every photo when the demo loads inside one transaction, as
    in tests, where after-commit work never runs). Returns the photos fingerprinted."""
    _copied_listing(say)
    missing = list(photos_without_fingerprints().values_list("pk", flat=True))
    if missing:
        say(f"fingerprinting {len(missing)} photos")
    return photos_backfill(photo_ids=missing)


def _copied_listing(say: Callable[[str], None]) -> None:
    supplier = Shop.objects.filter(name=SUPPLIER, kind=ShopKind.SUPPLIER).first()
    copier = Shop.objects.filter(name=COPIER).first()
    if supplier is None or copier is None:
        return
    photo = (
        ProductPhoto.objects.filter(
            product__shop=supplier, product__status=ProductStatus.ACTIVE, position=0
        )
        .select_related("product__category")
        .order_by("product__created_at", "pk")
        .first()
    )
    if photo is None:
        return
    original = photo.product
    title = f"{original.title}{COPY_SUFFIX}"[:120]
    if copier.products.filter(title=title).exists():
        return
    say(f"{COPIER} re-lists {original.title} with the supplier's photo")
    with photo.image.open("rb") as file:
        picture = SimpleUploadedFile("copy.jpg", file.read(), content_type="image/jpeg")
    price = max(100, (original.price_min or 1000) * 9 // 10)
    with transaction.atomic():
        product = catalog.product_create(
            shop=copier,
            actor=copier.owner,
            category=original.category,
            title=title,
            description=original.description,
            skus=[catalog.SkuInput(label="标准", price_minor=price, available=20)],
        )
        catalog.photos_add(product=product, actor=copier.owner, uploads=[picture])
        catalog.product_set_status(product=product, actor=copier.owner, status=ProductStatus.ACTIVE)
