"""Reads of sourcing: who buys from whom. Other apps (photo rights) ask here whether a
shop may use a supplier's photos."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import F, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Category, Product, ProductPhoto, ProductStatus, Sku
from evillage.catalog.selectors import category_tree, search_terms
from evillage.core.errors import DomainError, ValidationFailed
from evillage.orders.models import Order, OrderState
from evillage.shops.models import Shop, ShopKind, ShopStatus
from evillage.shops.selectors import user_is_shop_staff
from evillage.sourcing.models import DropshipLink, DropshipOrder, PriceTier, WholesaleTerms

# An order counts as buying from the supplier once it is paid (and as long as it was not
# closed unpaid or cancelled).
BOUGHT_STATES = (
    OrderState.WAIT_SELLER_SEND,
    OrderState.WAIT_BUYER_CONFIRM,
    OrderState.FINISHED,
)


def _wholesale_orders(supplier: Shop) -> QuerySet[Order]:
    return Order.objects.filter(shop=supplier, state__in=BOUGHT_STATES)


def has_sourcing_relationship(*, shop: Shop, supplier: Shop) -> bool:
    """Whether `shop` really sources from `supplier`: its owner bought from the supplier
    (a wholesale order, paid or later), or one of its variants is drop-shipped from one of
    the supplier's."""
    if shop.pk == supplier.pk:
        return True
    if _wholesale_orders(supplier).filter(buyer_id=shop.owner_id).exists():
        return True
    return DropshipLink.objects.filter(
        retail_sku__product__shop=shop, supplier_sku__product__shop=supplier
    ).exists()


def shops_sourcing_from(*, supplier: Shop) -> QuerySet[Shop]:
    """The shops with a sourcing relationship to the supplier."""
    buyers = _wholesale_orders(supplier).values("buyer_id")
    linked = DropshipLink.objects.filter(supplier_sku__product__shop=supplier).values(
        "retail_sku__product__shop_id"
    )
    return Shop.objects.filter(Q(owner_id__in=buyers) | Q(pk__in=linked)).exclude(pk=supplier.pk)


def tier_unit_price(*, sku: Sku, quantity: int) -> int:
    """The unit price of `quantity` units of an offer (all its variants together): the tier
    with the largest start not above the quantity, else the lowest tier; the variant's own
    price when the offer has no tiers. Minimum quantities are not checked here."""
    tiers = sorted(sku.product.price_tiers.all(), key=lambda tier: tier.min_quantity)
    if not tiers:
        return sku.price
    reached = [tier for tier in tiers if tier.min_quantity <= quantity]
    return (reached[-1] if reached else tiers[0]).unit_price


# --- wholesale prices: what checkout charges and the cart shows --------------------------


@dataclass(frozen=True)
class Quote:
    """The unit price of one variant in a basket, and why it is refused if it is."""

    unit_price: int
    kind: str  # "retail" (no wholesale terms), "tier" or "sample"
    error: DomainError | None = None


def _tier_price(tiers: Sequence[PriceTier], quantity: int) -> int | None:
    """The tier with the largest start not above the quantity, else the lowest tier."""
    ordered = sorted(tiers, key=lambda tier: tier.min_quantity)
    if not ordered:
        return None
    reached = [tier for tier in ordered if tier.min_quantity <= quantity]
    return (reached[-1] if reached else ordered[0]).unit_price


def below_minimum(terms: WholesaleTerms, quantity: int) -> ValidationFailed:
    product = terms.product
    if terms.sample_price is None:
        message = _(
            "“%(title)s” is sold from %(moq)d units (all its variants together); you chose "
            "%(quantity)d, and this supplier sends no samples."
        )
    else:
        message = _(
            "“%(title)s” is sold from %(moq)d units (all its variants together); you chose "
            "%(quantity)d. Below that, order at most %(max)d as a sample."
        )
    return ValidationFailed(
        message
        % {
            "title": product.title,
            "moq": terms.min_quantity,
            "quantity": quantity,
            "max": terms.sample_max_quantity,
        },
        code="below_minimum_quantity",
        field="quantity",
        details={
            "product": product.public_id,
            "min_quantity": terms.min_quantity,
            "quantity": quantity,
            "sample_max_quantity": (
                terms.sample_max_quantity if terms.sample_price is not None else None
            ),
        },
    )


def offer_quote(
    *, terms: WholesaleTerms, tiers: Sequence[PriceTier], sku: Sku, quantity: int
) -> Quote:
    """The price of `sku` when `quantity` units of its offer (all variants) are bought:
    the tier price from the minimum order quantity on; below it a sample (at most
    `sample_max_quantity` units at `sample_price`), or a refusal."""
    if quantity >= terms.min_quantity:
        price = _tier_price(tiers, quantity)
        return Quote(sku.price if price is None else price, "tier")
    if terms.sample_price is not None and quantity <= terms.sample_max_quantity:
        return Quote(terms.sample_price, "sample")
    price = _tier_price(tiers, quantity)
    return Quote(sku.price if price is None else price, "tier", below_minimum(terms, quantity))


def wholesale_quotes(*, lines: Iterable[tuple[Sku, int]]) -> dict[int, Quote]:
    """Each variant's quote (by SKU pk) for a basket of (sku, quantity): the quantity that
    picks the tier is the basket's total of the variant's offer. Variants of products
    without wholesale terms keep their own price. Two queries at most."""
    lines = list(lines)
    product_ids = {sku.product_id for sku, _quantity in lines}
    terms = {
        t.product_id: t
        for t in WholesaleTerms.objects.select_related("product").filter(product_id__in=product_ids)
    }
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    if terms:
        for tier in PriceTier.objects.filter(product_id__in=list(terms)):
            tiers[tier.product_id].append(tier)
    totals: dict[int, int] = defaultdict(int)
    for sku, quantity in lines:
        totals[sku.product_id] += quantity
    quotes = {}
    for sku, _quantity in lines:
        offer = terms.get(sku.product_id)
        if offer is None:
            quotes[sku.pk] = Quote(sku.price, "retail")
        else:
            quotes[sku.pk] = offer_quote(
                terms=offer, tiers=tiers[sku.product_id], sku=sku, quantity=totals[sku.product_id]
            )
    return quotes


def wholesale_unit_prices(*, skus: Sequence[Sku], quantities: dict[str, int]) -> dict[str, int]:
    """Checkout's unit prices by SKU public id; raises the first refusal
    (ValidationFailed `below_minimum_quantity`)."""
    quotes = wholesale_quotes(lines=[(sku, quantities[sku.public_id]) for sku in skus])
    for sku in skus:
        if quotes[sku.pk].error is not None:
            raise quotes[sku.pk].error
    return {sku.public_id: quotes[sku.pk].unit_price for sku in skus}


def price_cart_lines(lines: Sequence) -> None:
    """Set `unit_price` and `price_problem` ("" when buyable) on cart lines (anything with
    `.sku` and `.quantity`), as checkout of exactly these lines would price them."""
    quotes = wholesale_quotes(lines=[(line.sku, line.quantity) for line in lines])
    for line in lines:
        quote = quotes[line.sku.pk]
        line.unit_price = quote.unit_price
        line.price_problem = quote.error.message if quote.error else ""


# --- the supplier catalogue ----------------------------------------------------------------

OFFER_SORTS = {
    "newest": ("-created_at", "-id"),
    "price_asc": (F("from_price").asc(nulls_last=True), "id"),
    "price_desc": (F("from_price").desc(nulls_last=True), "-id"),
    "sales": ("-sales_count", "-created_at", "-id"),
}


def normalize_offer_sort(value: str | None) -> str:
    return value if value in OFFER_SORTS else "newest"


def public_offers() -> QuerySet[Product]:
    """Wholesale offers anyone may see: on sale, with terms, in an open supplier shop.
    Each carries `from_price`: its lowest tier price (the variants' lowest if no tiers)."""
    return (
        Product.objects.filter(
            status=ProductStatus.ACTIVE,
            shop__status=ShopStatus.OPEN,
            shop__kind=ShopKind.SUPPLIER,
            wholesale__isnull=False,
        )
        .annotate(from_price=Coalesce(Min("price_tiers__unit_price"), F("price_min")))
        .select_related("wholesale", "shop__village", "category")
    )


def offer_search(
    *, query: str = "", category: Category | None = None, sort: str = "newest"
) -> QuerySet[Product]:
    """Offers whose title contains every term of the query (all offers if there is
    none), in the category or below it; with tiers and a cover photo prefetched."""
    offers = public_offers()
    condition = Q()
    for term in search_terms(query):
        condition &= Q(title__icontains=term)
    offers = offers.filter(condition)
    if category is not None:
        offers = offers.filter(category_id__in=category_tree().subtree_ids(category))
    covers = ProductPhoto.objects.only(
        "id", "product_id", "thumb", "width", "height", "position"
    ).order_by("position", "id")[:1]
    return offers.order_by(*OFFER_SORTS[normalize_offer_sort(sort)]).prefetch_related(
        Prefetch("price_tiers", queryset=PriceTier.objects.order_by("min_quantity")),
        Prefetch("photos", queryset=covers, to_attr="cover_photos"),
    )


def offer_get(*, public_id: str, user=None) -> Product | None:
    """One public offer with its terms, tiers, active variants and photos; a shop's
    staff also see their own offers that are not public."""
    offer = (
        Product.objects.filter(public_id=public_id, wholesale__isnull=False)
        .select_related("wholesale", "shop__village", "category")
        .prefetch_related(
            Prefetch("price_tiers", queryset=PriceTier.objects.order_by("min_quantity")),
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True), to_attr="variants"),
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        )
        .first()
    )
    if offer is None or offer.shop.kind != ShopKind.SUPPLIER:
        return None
    public = offer.status == ProductStatus.ACTIVE and offer.shop.status == ShopStatus.OPEN
    if public or (user is not None and user_is_shop_staff(user=user, shop=offer.shop)):
        return offer
    return None


@dataclass(frozen=True)
class TierRow:
    """A tier as people read it: from `start` to `end` units (None: and more)."""

    start: int
    end: int | None
    unit_price: int


def tier_rows(tiers: Sequence[PriceTier], *, min_quantity: int = 1) -> list[TierRow]:
    """Tiers as ranges ("10–49", "50+"), starting no lower than the minimum order."""
    ordered = sorted(tiers, key=lambda tier: tier.min_quantity)
    rows = []
    for index, tier in enumerate(ordered):
        end = ordered[index + 1].min_quantity - 1 if index + 1 < len(ordered) else None
        start = max(tier.min_quantity, min_quantity)
        if end is not None and end < start:
            continue
        rows.append(TierRow(start, end, tier.unit_price))
    return rows


def terms_of(*, product: Product) -> WholesaleTerms | None:
    return WholesaleTerms.objects.filter(product=product).first()


# --- a retail seller's sourcing ------------------------------------------------------------


def suppliers_of(*, shop: Shop) -> QuerySet[Shop]:
    """The supplier shops `shop` sources from: its owner bought from them (paid or
    later), or one of its variants is drop-shipped from theirs."""
    bought = Order.objects.filter(
        buyer_id=shop.owner_id, state__in=BOUGHT_STATES, shop_kind=ShopKind.SUPPLIER
    ).values("shop_id")
    linked = DropshipLink.objects.filter(retail_sku__product__shop=shop).values(
        "supplier_sku__product__shop_id"
    )
    return (
        Shop.objects.filter(Q(pk__in=bought) | Q(pk__in=linked))
        .exclude(pk=shop.pk)
        .select_related("village")
        .order_by("name")
    )


def dropship_links_of(*, shop: Shop) -> QuerySet[DropshipLink]:
    """The shop's variants drop-shipped by suppliers, newest first."""
    return (
        DropshipLink.objects.filter(retail_sku__product__shop=shop)
        .select_related("retail_sku__product", "supplier_sku__product__shop")
        .order_by("-created_at", "-id")
    )


def linkable_skus(*, shop: Shop) -> QuerySet[Sku]:
    """The shop's variants a seller may link to a supplier's: active, not linked yet."""
    return (
        Sku.objects.filter(product__shop=shop, is_active=True, dropship_link__isnull=True)
        .exclude(product__status=ProductStatus.BANNED)
        .select_related("product")
        .order_by("product__title", "position", "id")
    )


def _orders_with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related(
        "shop",
        "buyer",
        "checkout",
        "ship_to_place",
        "dropship_of__retail_order__shop",
        "dropship__purchase_order",
    ).prefetch_related("lines__sku")


def purchase_orders(*, buyer: User, state: str | None = None) -> QuerySet[Order]:
    """The user's orders at supplier shops (wholesale and drop-ship purchase orders),
    newest first. A drop-ship one has `dropship_of` (its retail order)."""
    orders = Order.objects.filter(buyer=buyer, shop_kind=ShopKind.SUPPLIER)
    if state in OrderState.values:
        orders = orders.filter(state=state)
    return _orders_with_details(orders).order_by("-created_at", "-id")


def supplier_desk_orders(*, shop: Shop, state: str | None = None) -> QuerySet[Order]:
    """A supplier shop's orders (those closed unpaid left out), newest first; the ship-to
    of a drop-ship purchase order is the end buyer's address."""
    orders = Order.objects.filter(shop=shop).exclude(state=OrderState.CLOSED, paid_at=None)
    if state in OrderState.values:
        orders = orders.filter(state=state)
    return _orders_with_details(orders).order_by("-created_at", "-id")


def dropship_retail_order(order: Order) -> Order | None:
    """For a drop-ship purchase order, the retail order it fulfils; else None."""
    try:
        return order.dropship_of.retail_order
    except DropshipOrder.DoesNotExist:
        return None
