"""Catalogue API: public reads (categories, products on sale); owners write.

Prices are integer minor units plus the product's currency. On write a variant's
price may be given as `price_minor` (integer) or `price` (a decimal string as a
person types it, "12.50"); never as a float.
"""

from datetime import datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog import services
from evillage.catalog.models import Category, Product, ProductPhoto, ProductStatus, Sku
from evillage.core.errors import NotFound, ValidationFailed
from evillage.shops import selectors as shop_selectors
from evillage.shops.api import viewer
from evillage.shops.models import ShopStatus

router = Router(tags=["catalog"])

SORTS = {
    "newest": ("-created_at", "-id"),
    "price_asc": ("price_min", "-created_at", "-id"),
    "price_desc": ("-price_max", "-created_at", "-id"),
    "sales": ("-sales_count", "-created_at", "-id"),
}


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


class SkuOut(Schema):
    id: str
    label: str
    options: dict[str, str]
    seller_code: str
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
        photos = list(obj.photos.all())
        return photos[0].thumb.url if photos else None


class ProductDetail(ProductSummary):
    description: str
    ban_reason: str
    skus: list[SkuOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_skus(obj: Product) -> list:
        return list(obj.skus.all())

    @staticmethod
    def resolve_photos(obj: Product) -> list:
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


def _with_descendants(slug: str) -> list[int]:
    """Ids of the category and everything under it (the tree is small: read it whole)."""
    children: dict[int | None, list[int]] = {}
    root = None
    for pk, parent_id, cat_slug in Category.objects.values_list("pk", "parent_id", "slug"):
        children.setdefault(parent_id, []).append(pk)
        if cat_slug == slug:
            root = pk
    if root is None:
        return []
    found, queue = [], [root]
    while queue:
        pk = queue.pop()
        found.append(pk)
        queue.extend(children.get(pk, []))
    return found


def _product_for_write(product_id: str) -> Product:
    product = shop_selectors.product_by_public_id(public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def _detail(product: Product) -> Product:
    return (
        Product.objects.select_related("shop", "category")
        .prefetch_related("skus__product", "photos")
        .get(pk=product.pk)
    )


def _public_products() -> QuerySet[Product]:
    return (
        Product.objects.filter(status=ProductStatus.ACTIVE, shop__status=ShopStatus.OPEN)
        .select_related("shop", "category")
        .prefetch_related("photos")
    )


@router.get("/categories", response=list[CategoryOut])
def category_tree(request):
    """The whole category tree, top categories first, in display order."""
    nodes = {}
    roots = []
    categories = list(Category.objects.order_by("position", "slug"))
    for category in categories:
        nodes[category.pk] = {
            "slug": category.slug,
            "name": category.name,
            "name_en": category.name_en,
            "name_zh_hans": category.name_zh_hans,
            "name_id": category.name_id,
            "children": [],
        }
    for category in categories:
        parent = nodes.get(category.parent_id)
        (parent["children"] if parent else roots).append(nodes[category.pk])
    return roots


@router.get("/products", response=list[ProductSummary])
@paginate(PageNumberPagination, page_size=20)
def list_products(
    request,
    category: str | None = None,
    shop: str | None = None,
    village: str | None = None,
    q: str | None = None,
    sort: Literal["newest", "price_asc", "price_desc", "sales"] = "newest",
):
    """Products on sale. `category` includes its subcategories; `q` matches titles."""
    products = _public_products()
    if category:
        products = products.filter(category_id__in=_with_descendants(category))
    if shop:
        products = products.filter(shop__public_id=shop)
    if village:
        products = products.filter(shop__village__key=village)
    if q and q.strip():
        products = products.filter(Q(title__icontains=q.strip()[:100]))
    return products.order_by(*SORTS[sort])


@router.get("/products/{product_id}", response=ProductDetail)
def get_product(request, product_id: str):
    """A product on sale; its shop's staff also see it in any other status."""
    product = shop_selectors.product_visible_to(user=viewer(request), public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."))
    return _detail(product)


@router.post("/products", response={201: ProductDetail}, auth=USER_AUTH)
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


@router.patch("/products/{product_id}", response=ProductDetail, auth=USER_AUTH)
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


@router.post("/products/{product_id}/status", response=ProductDetail, auth=USER_AUTH)
def set_product_status(request, product_id: str, payload: StatusIn):
    product = _product_for_write(product_id)
    services.product_set_status(product=product, actor=request.auth, status=payload.status)
    return _detail(product)


@router.post("/products/{product_id}/skus", response={201: SkuOut}, auth=USER_AUTH)
def add_sku(request, product_id: str, payload: SkuIn):
    product = _product_for_write(product_id)
    return Status(
        201, services.sku_add(product=product, actor=request.auth, sku=payload.to_input())
    )


def _sku_for_write(sku_id: str) -> Sku:
    sku = shop_selectors.sku_by_public_id(public_id=sku_id)
    if sku is None:
        raise NotFound(_("Variant not found."))
    return sku


@router.patch("/skus/{sku_id}", response=SkuOut, auth=USER_AUTH)
def update_sku(request, sku_id: str, payload: SkuPatch):
    sku = _sku_for_write(sku_id)
    return services.sku_update(sku=sku, actor=request.auth, **payload.dict())


@router.delete("/skus/{sku_id}", response={204: None}, auth=USER_AUTH)
def remove_sku(request, sku_id: str):
    services.sku_remove(sku=_sku_for_write(sku_id), actor=request.auth)
    return Status(204, None)


@router.post("/products/{product_id}/photos", response={201: list[PhotoOut]}, auth=USER_AUTH)
def upload_photos(request, product_id: str, photos: File[list[UploadedFile]]):
    """Upload one or more photos (multipart field `photos`); all are stored or none."""
    product = _product_for_write(product_id)
    return Status(201, services.photos_add(product=product, actor=request.auth, uploads=photos))


def _photo_for_write(photo_id: str) -> ProductPhoto:
    photo = shop_selectors.photo_by_public_id(public_id=photo_id)
    if photo is None:
        raise NotFound(_("Photo not found."))
    return photo


@router.post("/photos/{photo_id}/move", response=PhotoOut, auth=USER_AUTH)
def move_photo(request, photo_id: str, payload: MoveIn):
    """Move a photo one place left (-1) or right (+1); the first is the cover."""
    return services.photo_move(
        photo=_photo_for_write(photo_id), actor=request.auth, offset=payload.offset
    )


@router.delete("/photos/{photo_id}", response={204: None}, auth=USER_AUTH)
def remove_photo(request, photo_id: str):
    services.photo_remove(photo=_photo_for_write(photo_id), actor=request.auth)
    return Status(204, None)
