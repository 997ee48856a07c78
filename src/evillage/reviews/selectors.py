"""Reads of reviews: public lists, what a buyer may do with an order line, a shop's
credit, and detailed seller ratings (DSR) compared with the shop's category."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Category, Product, ProductStatus
from evillage.core.errors import DomainError
from evillage.orders.models import Order, OrderLine, OrderState
from evillage.reviews.models import DSR_FIELDS, Review, ReviewPhoto, ShopCredit
from evillage.reviews.services import (
    check_can_follow_up,
    check_can_review,
    followup_deadline,
    review_deadline,
)
from evillage.shops.models import Shop

PAGE_SIZE = 10
CATEGORY_DSR_SECONDS = 600


def with_shop_credit(products: QuerySet[Product]) -> QuerySet[Product]:
    """Product cards read `product.shop.credit` (the level badge) in the same query."""
    return products.select_related("shop__credit")


def _for_display(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related("buyer", "product").prefetch_related(
        Prefetch("photos", queryset=ReviewPhoto.objects.order_by("followup", "position", "id"))
    )


def product_reviews(*, product: Product) -> QuerySet[Review]:
    """Reviews anyone may read, newest first (hidden ones are left out)."""
    return _for_display(Review.objects.filter(product=product, is_hidden=False)).order_by(
        "-created_at", "-id"
    )


def shop_reviews(*, shop: Shop) -> QuerySet[Review]:
    return _for_display(Review.objects.filter(shop=shop, is_hidden=False)).order_by(
        "-created_at", "-id"
    )


def shop_reviews_for_staff(*, shop: Shop, waiting: bool = False) -> QuerySet[Review]:
    """The seller centre's list: hidden ones too (marked); `waiting` = not replied yet."""
    reviews = Review.objects.filter(shop=shop)
    if waiting:
        reviews = reviews.filter(reply_at=None)
    return _for_display(reviews).order_by("-created_at", "-id")


def review_by_public_id(*, public_id: str) -> Review | None:
    return (
        Review.objects.select_related("order", "shop", "buyer", "product")
        .filter(public_id=public_id)
        .first()
    )


def order_line_by_number(*, order: Order, number: int) -> OrderLine | None:
    """The order's `number`-th line (from 1, in the order shown on the order page)."""
    if number < 1:
        return None
    lines = list(order.lines.select_related("sku").order_by("id"))
    return lines[number - 1] if number <= len(lines) else None


def reviews_of_order(*, order: Order) -> dict[int, Review]:
    """The order's reviews by line id."""
    return {r.order_line_id: r for r in Review.objects.filter(order=order)}


def order_is_reviewable(*, order: Order, user: User) -> bool:
    """Whether a "Review" link makes sense: the buyer of a finished order."""
    return order.state == OrderState.FINISHED and order.buyer_id == getattr(user, "pk", None)


@dataclass(frozen=True)
class LineReviewState:
    """What the buyer may do with one order line now, and until when."""

    review: Review | None
    can_review: bool
    review_refusal: DomainError | None
    review_until: datetime | None
    can_follow_up: bool
    follow_up_until: datetime | None


def line_review_state(*, order: Order, line: OrderLine, user: User) -> LineReviewState:
    review = _for_display(Review.objects.filter(order_line=line)).select_related("order").first()
    refusal = None
    can_review = can_follow_up = False
    if review is None:
        try:
            check_can_review(order=order, line=line, actor=user)
            can_review = True
        except DomainError as exc:
            refusal = exc
    else:
        try:
            check_can_follow_up(review=review, actor=user)
            can_follow_up = True
        except DomainError:
            pass
    return LineReviewState(
        review=review,
        can_review=can_review,
        review_refusal=refusal,
        review_until=review_deadline(order),
        can_follow_up=can_follow_up,
        follow_up_until=followup_deadline(order),
    )


def masked_name(name: str) -> str:
    """How an anonymous reviewer is shown: "王***" for 王小明, "a***1" for alice1."""
    name = (name or "").strip()
    if not name:
        return "***"
    if len(name) < 3 or not name.isascii():
        return f"{name[0]}***"
    return f"{name[0]}***{name[-1]}"


def reviewer_name(review: Review) -> str:
    name = review.buyer.public_name
    return masked_name(name) if review.anonymous else name


def stored_credit(shop: Shop) -> ShopCredit | None:
    """The shop's credit row, None before its first review; no query when the row was
    select_related (with_shop_credit, or "credit" on a Shop query)."""
    try:
        return shop.credit
    except ShopCredit.DoesNotExist:
        return None


def shop_credit(*, shop: Shop) -> ShopCredit:
    """The stored credit row; an empty one (not saved) before the first review."""
    return ShopCredit.objects.filter(shop=shop).first() or ShopCredit(shop_id=shop.pk)


# Detailed seller ratings -----------------------------------------------------------------


@dataclass(frozen=True)
class DsrScores:
    item_as_described: float
    service: float
    shipping_speed: float
    ratings: int


@dataclass(frozen=True)
class DsrRow:
    name: str
    label: str
    value: float
    # Percent above (+) or below (−) the category's average; None without one.
    versus_category: float | None

    @property
    def comparison(self) -> str:
        if self.versus_category is None:
            return ""
        if abs(self.versus_category) < 0.05:
            return _("same as the category")
        if self.versus_category > 0:
            return _("%(pct).1f%% above the category") % {"pct": self.versus_category}
        return _("%(pct).1f%% below the category") % {"pct": -self.versus_category}

    @property
    def direction(self) -> str:
        if self.versus_category is None or abs(self.versus_category) < 0.05:
            return "same"
        return "up" if self.versus_category > 0 else "down"


def _dsr_since(now: datetime | None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.REVIEW_DSR_DAYS)


def shop_dsr(*, shop: Shop, now: datetime | None = None) -> DsrScores | None:
    """The shop's averages over the last REVIEW_DSR_DAYS (hidden reviews left out)."""
    figures = Review.objects.filter(
        shop=shop, is_hidden=False, dsr_counted=True, created_at__gte=_dsr_since(now)
    ).aggregate(ratings=Count("id"), **{name: Avg(name) for name in DSR_FIELDS})
    if not figures["ratings"]:
        return None
    return DsrScores(
        **{name: float(figures[name]) for name in DSR_FIELDS}, ratings=figures["ratings"]
    )


def root_category_of(category: Category) -> Category:
    from evillage.catalog.selectors import category_tree  # catalog.selectors imports us

    tree = category_tree()
    current = tree.by_id.get(category.pk, category)
    return (tree.ancestors(current) or [current])[0]


def shop_root_category(*, shop: Shop) -> Category | None:
    """The top category in which the shop has most products on sale."""
    from evillage.catalog.selectors import category_tree

    counts = (
        Product.objects.filter(shop=shop, status=ProductStatus.ACTIVE)
        .values_list("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    if not counts:
        return None
    tree = category_tree()
    per_root: dict[int, int] = {}
    for category_id, n in counts:
        category = tree.by_id.get(category_id)
        if category is None:
            continue
        root = (tree.ancestors(category) or [category])[0]
        per_root[root.pk] = per_root.get(root.pk, 0) + n
    if not per_root:
        return None
    order = {c.pk: i for i, c in enumerate(tree.roots)}
    best = min(per_root, key=lambda pk: (-per_root[pk], order.get(pk, 0), pk))
    return tree.by_id[best]


def category_dsr(*, root: Category, now: datetime | None = None) -> DsrScores | None:
    """The average of the DSR of the shops selling in a top category (each shop once)."""
    from evillage.catalog.selectors import category_tree, public_products

    ids = category_tree().subtree_ids(root)
    shops = public_products().filter(category_id__in=ids).values("shop_id")
    per_shop = list(
        Review.objects.filter(
            is_hidden=False, dsr_counted=True, created_at__gte=_dsr_since(now), shop_id__in=shops
        )
        .values("shop_id")
        .annotate(**{name: Avg(name) for name in DSR_FIELDS}, ratings=Count("id"))
        .order_by()
    )
    if not per_shop:
        return None
    return DsrScores(
        **{name: sum(float(s[name]) for s in per_shop) / len(per_shop) for name in DSR_FIELDS},
        ratings=sum(s["ratings"] for s in per_shop),
    )


DSR_LABELS = {
    "item_as_described": lambda: _("Item as described"),
    "service": lambda: _("Service"),
    "shipping_speed": lambda: _("Shipping speed"),
}


def dsr_rows(*, shop: Shop, root: Category | None, now: datetime | None = None) -> list[DsrRow]:
    """The shop's three DSR figures, each against its category's average; [] if none."""
    own = shop_dsr(shop=shop, now=now)
    if own is None:
        return []
    category = None
    if root is not None and now is None:
        # The same for every shop of the category and slow to move: computed at most
        # once every CATEGORY_DSR_SECONDS, not on every product page.
        category = cache.get_or_set(
            f"reviews:category-dsr:{root.pk}",
            lambda: category_dsr(root=root),
            CATEGORY_DSR_SECONDS,
        )
    elif root is not None:
        category = category_dsr(root=root, now=now)
    rows = []
    for name in DSR_FIELDS:
        value = getattr(own, name)
        versus = None
        if category is not None and getattr(category, name):
            versus = round((value - getattr(category, name)) / getattr(category, name) * 100, 1)
        rows.append(
            DsrRow(
                name=name, label=DSR_LABELS[name](), value=round(value, 1), versus_category=versus
            )
        )
    return rows
