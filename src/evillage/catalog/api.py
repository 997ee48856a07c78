"""Catalogue API: public reads (categories, products on sale); owners write.

Prices are integer minor units plus the product's currency. On write a variant's
price may be given as `price_minor` (integer) or `price` (a decimal string as a
person types it, "12.50"); never as a float.
"""

from datetime import datetime
from typing import Literal

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Response

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog import selectors, services
from evillage.catalog.models import Category, Product, ProductPhoto, Sku
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound, ValidationFailed
from evillage.shops import selectors as shop_selectors
from evillage.shops.api import viewer

router = Router(tags=["catalog"])


class CategoryOut(Schema):
    slug: str
    name: str
    name_en: str
    name_zh_hans: str
    name_id: str
    children: list["CategoryOut"] = []


class ShopRef(Schema):
    id: str
    name: str


class PhotoOut(Schema):
    id: str
    image: str
    medium: str
    thumb: str
    width: int
    height: int
    position: int

    @staticmethod
    def resolve_id(obj: ProductPhoto) -> str:
        return obj.public_id

    @staticmethod
    def resolve_image(obj: ProductPhoto) -> str:
        return obj.image.url

    @staticmethod
    def resolve_medium(obj: ProductPhoto) -> str:
        return obj.medium.url

    @staticmethod
    def resolve_thumb(obj: ProductPhoto) -> str:
        return obj.thumb.url


class SkuPublicOut(Schema):
    id: str
    label: str
    options: dict[str, str]
    price: int
    currency: str
    available: int
    is_active: bool

    @staticmethod
    def resolve_id(obj: Sku) -> str:
        return obj.public_id

    @staticmethod
    def resolve_currency(obj: Sku) -> str:
        return obj.product.currency


class SkuOut(SkuPublicOut):
    """A variant as its shop's staff see it, with the seller's own code."""

    seller_code: str


def _public_photos(product: Product) -> list:
    """The photos buyers may see: not those hidden under a photo-rights case."""
    photos = [p for p in product.photos.all() if p.hidden_at is None]
    return sorted(photos, key=lambda p: (p.position, p.pk))


class ProductSummary(Schema):
    id: str
    title: str
    status: str
    currency: str
    price_min: int | None
    price_max: int | None
    sales_count: int
    created_at: datetime
    category: str
    shop: ShopRef
    cover: str | None

    @staticmethod
    def resolve_id(obj: Product) -> str:
        return obj.public_id

    @staticmethod
    def resolve_category(obj: Product) -> str:
        return obj.category.slug

    @staticmethod
    def resolve_shop(obj: Product) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_cover(obj: Product) -> str | None:
        # Listings prefetch the cover alone (catalog.selectors.for_cards).
        photos = getattr(obj, "cover_photos", None)
        if photos is None:
            photos = _public_photos(obj)
        return photos[0].thumb.url if photos else None


class ProductDetail(ProductSummary):
    """A product as anyone may see it: the variants on sale, no seller's codes."""

    description: str
    ban_reason: str
    skus: list[SkuPublicOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_skus(obj: Product) -> list:
        return [sku for sku in obj.skus.all() if sku.is_active]

    @staticmethod
    def resolve_photos(obj: Product) -> list:
        return _public_photos(obj)


class ProductStaffDetail(ProductDetail):
    """A product as its shop's staff see it: every variant, with the seller's codes."""

    skus: list[SkuOut]

    @staticmethod
    def resolve_skus(obj: Product) -> list:
        return list(obj.skus.all())

    @staticmethod
    def resolve_photos(obj: Product) -> list:
        # The shop sees its hidden photos too (the photo-rights page says why).
        return sorted(obj.photos.all(), key=lambda p: (p.position, p.pk))


class SkuIn(Schema):
    label: str
    price: str | None = None
    price_minor: int | None = None
    available: int = 0
    options: dict[str, str] = {}
    seller_code: str = ""
    is_active: bool = True

    def to_input(self) -> services.SkuInput:
        return services.SkuInput(**self.dict())


class SkuPatch(Schema):
    label: str | None = None
    price: str | None = None
    price_minor: int | None = None
    available: int | None = None
    options: dict[str, str] | None = None
    seller_code: str | None = None
    is_active: bool | None = None
    expected_available: int | None = Field(
        None,
        description="The stock you last read; with it, `available` is only set if the "
        "stock still is that count (else 409 stock_changed), so an order placed "
        "meanwhile is not overwritten.",
    )


class ProductIn(Schema):
    shop: str
    category: str
    title: str
    description: str = ""
    skus: list[SkuIn]


class ProductPatch(Schema):
    title: str | None = None
    description: str | None = None
    category: str | None = None


class StatusIn(Schema):
    status: Literal["draft", "active", "delisted"]


class MoveIn(Schema):
    offset: Literal[-1, 1]


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationFailed(_("Unknown category."), code="unknown_category", field="category")
    return category


def _product_for_write(product_id: str) -> Product:
    product = selectors.product_by_public_id(public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def _detail(product: Product) -> Product:
    """The product as stored now (after a write), with what the detail schemas read."""
    return (
        Product.objects.select_related("shop", "category")
        .prefetch_related("skus", "photos")  # a prefetched SKU knows its product
        .get(pk=product.pk)
    )


def _category_node(tree: selectors.CategoryTree, category: Category) -> dict:
    return {
        "slug": category.slug,
        "name": category.name,
        "name_en": category.name_en,
        "name_zh_hans": category.name_zh_hans,
        "name_id": category.name_id,
        "children": [_category_node(tree, c) for c in tree.children.get(category.pk, [])],
    }


@router.get("/categories", response={200: list[CategoryOut]})
def category_tree(request):
    """The whole category tree, top categories first, in display order."""
    tree = selectors.category_tree()
    return [_category_node(tree, root) for root in tree.roots]


@router.get("/products", response={200: list[ProductSummary], READ_ERRORS: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=20)
def list_products(
    request,
    category: str | None = None,
    shop: str | None = None,
    village: str | None = None,
    q: str | None = None,
    sort: Literal["newest", "price_asc", "price_desc", "sales"] = "newest",
):
    """Products on sale, in the order and with the matching of the storefront pages.

    `category` includes its subcategories; `q` matches titles containing every word;
    `price_asc`/`price_desc` sort by the lowest price (what a card shows first).
    """
    query = (q or "").strip()[: selectors.SEARCH_MAX_LENGTH]
    tree = selectors.category_tree() if category or query else None
    node = None
    if category:
        node = tree.by_slug(category)
        if node is None:
            return Product.objects.none()
    if query:
        products = selectors.search_products(query=query, tree=tree, category=node, sort=sort)
    elif node is not None:
        products = selectors.category_products(tree=tree, category=node, sort=sort)
    else:
        products = selectors.for_cards(selectors.sort_products(selectors.public_products(), sort))
    if shop:
        products = products.filter(shop__public_id=shop)
    if village:
        products = products.filter(shop__village__key=village)
    return products.select_related("category")


@router.get(
    "/products/{product_id}",
    response={200: ProductStaffDetail | ProductDetail, READ_ERRORS: ErrorOut},
)
def get_product(request, product_id: str):
    """A product on sale; its shop's staff also see it in any other status, and see
    every variant (also those not for sale) with the seller's codes."""
    user = viewer(request)
    product = selectors.product_visible_to(user=user, public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."))
    is_staff = shop_selectors.user_is_shop_staff(user=user, shop=product.shop)
    schema = ProductStaffDetail if is_staff else ProductDetail
    # Rendered here: a union response would be validated against whichever schema
    # accepts it first, and both accept a product.
    prefetch_related_objects([product], "skus", "photos")
    return Response(schema.from_orm(product))


@router.post(
    "/products", response={201: ProductStaffDetail, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
def create_product(request, payload: ProductIn):
    """Create a draft product with its variants in one of your shops."""
    shop = shop_selectors.shop_by_public_id(public_id=payload.shop)
    if shop is None or not shop_selectors.shop_staff_role(request.auth, shop):
        raise NotFound(_("Shop not found."))
    product = services.product_create(
        shop=shop,
        actor=request.auth,
        category=_category(payload.category),
        title=payload.title,
        description=payload.description,
        skus=[sku.to_input() for sku in payload.skus],
    )
    return Status(201, _detail(product))


@router.patch(
    "/products/{product_id}",
    response={200: ProductStaffDetail, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def update_product(request, product_id: str, payload: ProductPatch):
    product = _product_for_write(product_id)
    services.product_update(
        product=product,
        actor=request.auth,
        title=payload.title,
        description=payload.description,
        category=_category(payload.category) if payload.category else None,
    )
    return _detail(product)


@router.post(
    "/products/{product_id}/status",
    response={200: ProductStaffDetail, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def set_product_status(request, product_id: str, payload: StatusIn):
    product = _product_for_write(product_id)
    services.product_set_status(product=product, actor=request.auth, status=payload.status)
    return _detail(product)


@router.post(
    "/products/{product_id}/skus", response={201: SkuOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
def add_sku(request, product_id: str, payload: SkuIn):
    product = _product_for_write(product_id)
    return Status(
        201, services.sku_add(product=product, actor=request.auth, sku=payload.to_input())
    )


def _sku_for_write(sku_id: str) -> Sku:
    sku = selectors.sku_by_public_id(public_id=sku_id)
    if sku is None:
        raise NotFound(_("Variant not found."))
    return sku


@router.patch("/skus/{sku_id}", response={200: SkuOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def update_sku(request, sku_id: str, payload: SkuPatch):
    sku = _sku_for_write(sku_id)
    return services.sku_update(sku=sku, actor=request.auth, **payload.dict())


@router.delete("/skus/{sku_id}", response={204: None, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def remove_sku(request, sku_id: str):
    services.sku_remove(sku=_sku_for_write(sku_id), actor=request.auth)
    return Status(204, None)


@router.post(
    "/products/{product_id}/photos",
    response={201: list[PhotoOut], WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def upload_photos(request, product_id: str, photos: File[list[UploadedFile]]):
    """Upload one or more photos (multipart field `photos`); all are stored or none."""
    product = _product_for_write(product_id)
    return Status(201, services.photos_add(product=product, actor=request.auth, uploads=photos))


def _photo_for_write(photo_id: str) -> ProductPhoto:
    photo = selectors.photo_by_public_id(public_id=photo_id)
    if photo is None:
        raise NotFound(_("Photo not found."))
    return photo


@router.post(
    "/photos/{photo_id}/move", response={200: PhotoOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
def move_photo(request, photo_id: str, payload: MoveIn):
    """Move a photo one place left (-1) or right (+1); the first is the cover."""
    return services.photo_move(
        photo=_photo_for_write(photo_id), actor=request.auth, offset=payload.offset
    )


@router.delete("/photos/{photo_id}", response={204: None, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def remove_photo(request, photo_id: str):
    services.photo_remove(photo=_photo_for_write(photo_id), actor=request.auth)
    return Status(204, None)
