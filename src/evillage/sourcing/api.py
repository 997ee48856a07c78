"""The sourcing API: wholesale offers (public), a supplier's terms, a seller's drop-ship
links and purchase orders, a supplier's order desk.

Paths: /api/sourcing/offers, /api/sourcing/offers/{id}, /api/sourcing/offers/{id}/terms,
/api/sourcing/dropship-links, /api/sourcing/purchase-orders,
/api/sourcing/shops/{id}/orders. Money is integer minor units of the offer's currency.
Buying goes through the cart and checkout (/api/cart, /api/checkouts), which charge the
tier price the offer's quantity reaches.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool, StrictInt

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog.models import Product
from evillage.catalog.selectors import category_tree, product_by_public_id, sku_by_public_id
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound
from evillage.orders.models import Order
from evillage.orders.schemas import OrderSummary
from evillage.shops.models import Shop, ShopKind
from evillage.shops.selectors import shop_for_staff, shops_of_user
from evillage.sourcing import selectors, services
from evillage.sourcing.models import DropshipLink

router = Router(tags=["sourcing"])
AUTH_READS = frozenset({401, *READ_ERRORS})

OfferSort = Literal["newest", "price_asc", "price_desc", "sales"]
StateFilter = Literal["wait_pay", "paid", "shipped", "finished", "closed"]


class Ref(Schema):
    id: str
    name: str


class TierOut(Schema):
    min_quantity: int = Field(description="From this many units (all variants together).")
    max_quantity: int | None = Field(description="Up to this many; null: and more.")
    unit_price: int


class OfferSummary(Schema):
    id: str
    title: str
    shop: Ref
    category: str
    currency: str
    from_price: int = Field(description="The lowest tier's unit price, minor units.")
    min_quantity: int = Field(description="Below this many units only a sample may be bought.")
    sample_price: int | None = Field(description="Per unit; null: no samples.")
    sample_max_quantity: int | None
    lead_time_days: int
    dropship: bool = Field(description="The supplier ships to a seller's buyers.")
    tiers: list[TierOut]
    thumb: str | None

    @staticmethod
    def resolve_id(obj: Product) -> str:
        return obj.public_id

    @staticmethod
    def resolve_shop(obj: Product) -> dict:
        return {"id": obj.shop.public_id, "name": obj.shop.name}

    @staticmethod
    def resolve_category(obj: Product) -> str:
        return obj.category.slug

    @staticmethod
    def resolve_tiers(obj: Product) -> list[dict]:
        rows = selectors.tier_rows(obj.price_tiers.all(), min_quantity=obj.wholesale.min_quantity)
        return [
            {"min_quantity": r.start, "max_quantity": r.end, "unit_price": r.unit_price}
            for r in rows
        ]

    @staticmethod
    def resolve_from_price(obj: Product) -> int:
        prices = [tier.unit_price for tier in obj.price_tiers.all()]
        return min(prices, default=obj.price_min or 0)

    @staticmethod
    def resolve_min_quantity(obj: Product) -> int:
        return obj.wholesale.min_quantity

    @staticmethod
    def resolve_sample_price(obj: Product) -> int | None:
        return obj.wholesale.sample_price

    @staticmethod
    def resolve_sample_max_quantity(obj: Product) -> int | None:
        terms = obj.wholesale
        return terms.sample_max_quantity if terms.sample_price is not None else None

    @staticmethod
    def resolve_lead_time_days(obj: Product) -> int:
        return obj.wholesale.lead_time_days

    @staticmethod
    def resolve_dropship(obj: Product) -> bool:
        return obj.wholesale.dropship

    @staticmethod
    def resolve_thumb(obj: Product) -> str | None:
        covers = getattr(obj, "cover_photos", None)
        if covers is None:
            covers = list(obj.photos.all())[:1]
        return covers[0].thumb.url if covers else None


class VariantOut(Schema):
    id: str = Field(description="The SKU's id: put it in the cart or a checkout.")
    label: str
    available: int

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.public_id


class PhotoOut(Schema):
    medium: str
    thumb: str
    width: int
    height: int

    @staticmethod
    def resolve_medium(obj) -> str:
        return obj.medium.url

    @staticmethod
    def resolve_thumb(obj) -> str:
        return obj.thumb.url


class OfferDetail(OfferSummary):
    description: str
    status: str
    variants: list[VariantOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_variants(obj: Product) -> list:
        return list(obj.variants)

    @staticmethod
    def resolve_photos(obj: Product) -> list:
        return list(obj.photos.all())


class TierIn(Schema):
    min_quantity: StrictInt
    unit_price: StrictInt = Field(description="Minor units.")


class TermsIn(Schema):
    min_quantity: StrictInt = Field(description="Minimum order quantity, all variants.")
    tiers: list[TierIn] = Field(
        description="Starts strictly increasing, prices not rising; the first at 1 or at "
        "min_quantity."
    )
    sample_price: StrictInt | None = Field(None, description="Per unit; null: no samples.")
    sample_max_quantity: StrictInt = 1
    lead_time_days: StrictInt = 2
    dropship: StrictBool = True


class LinkIn(Schema):
    retail_sku: str = Field(description="Your variant (SKU id), sold in your shop.")
    supplier_sku: str = Field(description="The supplier's variant that ships in its place.")


class LinkOut(Schema):
    retail_sku: str
    retail_title: str
    shop: Ref
    supplier_sku: str
    supplier_title: str
    supplier: Ref
    created_at: datetime

    @staticmethod
    def of(link: DropshipLink) -> dict:
        retail, supplier = link.retail_sku, link.supplier_sku
        return {
            "retail_sku": retail.public_id,
            "retail_title": f"{retail.product.title} · {retail.label}",
            "shop": {"id": retail.product.shop.public_id, "name": retail.product.shop.name},
            "supplier_sku": supplier.public_id,
            "supplier_title": f"{supplier.product.title} · {supplier.label}",
            "supplier": {
                "id": supplier.product.shop.public_id,
                "name": supplier.product.shop.name,
            },
            "created_at": link.created_at,
        }


class PurchaseOrderOut(OrderSummary):
    kind: str = Field(description="wholesale, or dropship (a purchase order for a sale).")
    retail_order: str | None = Field(
        description="For a drop-ship purchase order: the retail order it ships."
    )

    @staticmethod
    def resolve_kind(obj: Order) -> str:
        return "dropship" if selectors.dropship_retail_order(obj) else "wholesale"

    @staticmethod
    def resolve_retail_order(obj: Order) -> str | None:
        retail = selectors.dropship_retail_order(obj)
        return retail.public_id if retail else None


def _offer(request: HttpRequest, product_id: str) -> Product:
    user = request.user if request.user.is_authenticated else None
    offer = selectors.offer_get(public_id=product_id, user=user)
    if offer is None:
        raise NotFound(_("Offer not found."), code="offer_not_found")
    return offer


@router.get(
    "/sourcing/offers", response={200: list[OfferSummary], READ_ERRORS: ErrorOut}, auth=None
)
@paginate(BoundedPageNumberPagination, page_size=24)
def offer_list(request, q: str = "", category: str = "", sort: OfferSort = "newest"):
    """Wholesale offers of open supplier shops; `q` matches every word of the title,
    `category` (a slug) includes its subcategories."""
    found = category_tree().by_slug(category) if category else None
    if category and found is None:
        raise NotFound(_("No such category."), code="category_not_found", field="category")
    return selectors.offer_search(query=q[:100], category=found, sort=sort)


@router.get(
    "/sourcing/offers/{product_id}", response={200: OfferDetail, READ_ERRORS: ErrorOut}, auth=None
)
def offer_detail(request, product_id: str):
    """One offer: terms, tiers, variants (SKU ids to buy) and photos."""
    return _offer(request, product_id)


@router.put(
    "/sourcing/offers/{product_id}/terms",
    response={200: OfferDetail, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def terms_set(request, product_id: str, payload: TermsIn):
    """The supplier shop's owner sets a product's wholesale terms (its tiers replaced)."""
    product = product_by_public_id(public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."), code="product_not_found")
    services.wholesale_terms_set(
        actor=request.auth,
        product=product,
        min_quantity=payload.min_quantity,
        tiers=[(tier.min_quantity, tier.unit_price) for tier in payload.tiers],
        sample_price=payload.sample_price,
        sample_max_quantity=payload.sample_max_quantity,
        lead_time_days=payload.lead_time_days,
        dropship=payload.dropship,
    )
    return selectors.offer_get(public_id=product_id, user=request.auth)


@router.delete(
    "/sourcing/offers/{product_id}/terms",
    response={204: None, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def terms_remove(request, product_id: str):
    """The product is no longer sold wholesale (its variants' own prices, any quantity)."""
    product = product_by_public_id(public_id=product_id)
    if product is None:
        raise NotFound(_("Product not found."), code="product_not_found")
    services.wholesale_terms_remove(actor=request.auth, product=product)
    return Status(204, None)


def _links_shops(request: HttpRequest, shop_id: str) -> list[Shop]:
    if shop_id:
        shop = shop_for_staff(user=request.auth, public_id=shop_id)
        if shop is None:
            raise NotFound(_("Shop not found."), code="shop_not_found")
        return [shop]
    return [s for s in shops_of_user(user=request.auth) if s.kind != ShopKind.SUPPLIER]


@router.get(
    "/sourcing/dropship-links",
    response={200: list[LinkOut], AUTH_READS: ErrorOut},
    auth=USER_AUTH,
)
def link_list(request, shop: str = ""):
    """Your shops' variants drop-shipped by suppliers (`shop`: one of them)."""
    return [
        LinkOut.of(link)
        for one in _links_shops(request, shop)
        for link in selectors.dropship_links_of(shop=one)
    ]


@router.post(
    "/sourcing/dropship-links",
    response={201: LinkOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def link_create(request, payload: LinkIn):
    """Sell one of your variants drop-shipped: when it is paid for, a purchase order goes
    to the supplier, who ships to your buyer."""
    from evillage.sourcing.dropship import dropship_link_create  # the drop-ship module

    retail = sku_by_public_id(public_id=payload.retail_sku)
    supplier = sku_by_public_id(public_id=payload.supplier_sku)
    if retail is None:
        raise NotFound(_("Your variant was not found."), code="sku_not_found", field="retail_sku")
    if supplier is None:
        raise NotFound(
            _("The supplier's variant was not found."), code="sku_not_found", field="supplier_sku"
        )
    link = dropship_link_create(user=request.auth, retail_sku=retail, supplier_sku=supplier)
    link = selectors.dropship_links_of(shop=retail.product.shop).get(pk=link.pk)
    return Status(201, LinkOut.of(link))


@router.delete(
    "/sourcing/dropship-links/{retail_sku}",
    response={204: None, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def link_delete(request, retail_sku: str):
    """Stop drop-shipping this variant of yours (`retail_sku`: the link's id)."""
    from evillage.sourcing.dropship import dropship_link_remove  # the drop-ship module

    link = (
        DropshipLink.objects.select_related("retail_sku__product__shop")
        .filter(retail_sku__public_id=retail_sku)
        .first()
    )
    shop = link.retail_sku.product.shop if link else None
    if shop is None or shop_for_staff(user=request.auth, public_id=shop.public_id) is None:
        raise NotFound(_("No such drop-ship link."), code="link_not_found")
    dropship_link_remove(user=request.auth, link=link)
    return Status(204, None)


@router.get(
    "/sourcing/purchase-orders",
    response={200: list[PurchaseOrderOut], AUTH_READS: ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def purchase_order_list(request, state: StateFilter | None = None):
    """Your orders at supplier shops, newest first: wholesale orders and the drop-ship
    purchase orders placed for your sales (`retail_order`)."""
    return selectors.purchase_orders(buyer=request.auth, state=state)


@router.get(
    "/sourcing/shops/{shop_id}/orders",
    response={200: list[PurchaseOrderOut], AUTH_READS: ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def supplier_order_list(request, shop_id: str, state: StateFilter | None = None):
    """A supplier shop's order desk, for its staff: wholesale and drop-ship purchase
    orders (a drop-ship one ships to its `ship_to`, the seller's buyer). Ship them with
    POST /api/orders/{id}/ship."""
    shop = shop_for_staff(user=request.auth, public_id=shop_id)
    if shop is None or shop.kind != ShopKind.SUPPLIER:
        raise NotFound(_("Supplier shop not found."), code="shop_not_found")
    return selectors.supplier_desk_orders(shop=shop, state=state)
