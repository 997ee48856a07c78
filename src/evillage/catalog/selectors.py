"""Reads for the public storefront (which products a buyer may see, and in what order)
and for the seller centre (a shop's own listings, whatever their status)."""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Category, Product, ProductPhoto, ProductStatus, Sku
from evillage.core.errors import NotFound
from evillage.reviews.selectors import with_shop_credit
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.selectors import user_is_shop_staff

PAGE_SIZE = 24
DEFAULT_SORT = "newest"
# Ties end on the primary key so that pages never repeat or skip a product.
SORTS = {
    "newest": ("-created_at", "-id"),
    "price_asc": (F("price_min").asc(nulls_last=True), "id"),
    "price_desc": (F("price_min").desc(nulls_last=True), "-id"),
    "sales": ("-sales_count", "-created_at", "-id"),
}
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 10


def normalize_sort(value: str | None) -> str:
    """The sort to apply; anything unknown falls back to newest first."""
    return value if value in SORTS else DEFAULT_SORT


def public_products() -> QuerySet[Product]:
    """Products anyone may see: on sale, in a shop that is open."""
    return Product.objects.filter(status=ProductStatus.ACTIVE, shop__status=ShopStatus.OPEN)


def for_cards(products: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card needs in two queries: the shop's village, its credit badge and
    the first photo.

    The first photo lands in `product.cover_photos` (a list of at most one); photos
    hidden for photo rights (evillage.sameitem) are never a cover.
    """
    covers = (
        ProductPhoto.objects.filter(hidden_at=None)
        .only("id", "product_id", "thumb", "width", "height", "position")
        .order_by("position", "id")[:1]
    )
    products = with_shop_credit(products.select_related("shop__village"))
    return products.prefetch_related(Prefetch("photos", queryset=covers, to_attr="cover_photos"))


def sort_products(products: QuerySet[Product], sort: str) -> QuerySet[Product]:
    return products.order_by(*SORTS[normalize_sort(sort)])


def newest_products(*, limit: int = 12) -> QuerySet[Product]:
    return for_cards(sort_products(public_products(), "newest"))[:limit]


@dataclass
class CategoryTree:
    """The whole category tree, read in one query (it has at most a few hundred nodes)."""

    by_id: dict[int, Category]
    children: dict[int | None, list[Category]] = field(default_factory=dict)

    @property
    def roots(self) -> list[Category]:
        return self.children.get(None, [])

    def by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.by_id.values() if c.slug == slug), None)

    def ancestors(self, category: Category) -> list[Category]:
        """From the root down to the category's parent."""
        chain: list[Category] = []
        parent_id = category.parent_id
        while parent_id is not None and parent_id in self.by_id and len(chain) < 20:
            chain.append(self.by_id[parent_id])
            parent_id = self.by_id[parent_id].parent_id
        return chain[::-1]

    def subtree_ids(self, category: Category) -> list[int]:
        """The category and all categories below it."""
        ids, stack = [], [category.pk]
        while stack:
            current = stack.pop()
            ids.append(current)
            stack.extend(c.pk for c in self.children.get(current, []))
        return ids


def category_tree() -> CategoryTree:
    categories = list(Category.objects.all())  # ordered by position, slug
    tree = CategoryTree(by_id={c.pk: c for c in categories})
    for category in categories:
        tree.children.setdefault(category.parent_id, []).append(category)
    return tree


def category_product_counts(*, tree: CategoryTree) -> dict[int, int]:
    """Public products per category, each category counting those of its subcategories."""
    own = dict(public_products().values_list("category_id").annotate(n=Count("id")).order_by())
    return {pk: sum(own.get(i, 0) for i in tree.subtree_ids(c)) for pk, c in tree.by_id.items()}


def category_products(*, tree: CategoryTree, category: Category, sort: str) -> QuerySet[Product]:
    products = public_products().filter(category_id__in=tree.subtree_ids(category))
    return for_cards(sort_products(products, sort))


# C0 and C1 control characters: never in a title, and PostgreSQL rejects NUL in text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_search_query(query: str) -> str:
    """The query as typed, control characters turned into spaces and the ends trimmed."""
    return _CONTROL.sub(" ", query).strip()


def search_terms(query: str) -> list[str]:
    """Whitespace and control characters separate terms (Indonesian, English); Chinese
    text without spaces is one term, matched as a substring of the title."""
    return clean_search_query(query).split()[:SEARCH_MAX_TERMS]


def search_products(
    *, query: str, tree: CategoryTree, category: Category | None, sort: str
) -> QuerySet[Product]:
    """Products whose title contains every term of the query, case-insensitively.

    PostgreSQL folds case for every script. SQLite's LIKE folds ASCII letters only, so
    there "Batik" finds "batik" but "ÉCRU" does not find "écru"; titles in Chinese,
    Indonesian and English are unaffected in practice. A search backend (FTS5 trigram,
    pg_trgm) replaces this when the search app arrives.
    """
    terms = search_terms(query)
    if not terms:
        return Product.objects.none()
    condition = Q()
    for term in terms:
        condition &= Q(title__icontains=term)
    products = public_products().filter(condition)
    if category is not None:
        products = products.filter(category_id__in=tree.subtree_ids(category))
    return for_cards(sort_products(products, sort))


def product_is_public(product: Product) -> bool:
    """On sale in an open shop: what anyone may see."""
    return product.status == ProductStatus.ACTIVE and product.shop.status == ShopStatus.OPEN


def product_visible_to(*, user: User | AnonymousUser, public_id: str) -> Product | None:
    """The product if `user` may see it: a public one, or any product of a shop the user
    works in. None otherwise, so drafts and banned products do not reveal that they exist.

    The one visibility rule of a single product, for pages and API alike.
    """
    product = (
        with_shop_credit(Product.objects.select_related("category", "shop__village__parent"))
        .filter(public_id=public_id)
        .first()
    )
    if product is None:
        return None
    if product_is_public(product) or user_is_shop_staff(user=user, shop=product.shop):
        return product
    return None


@dataclass
class ProductPage:
    product: Product
    # True when the product is not public and a member of the shop's staff is looking.
    preview: bool


def product_for_display(*, public_id: str, user: User | AnonymousUser) -> ProductPage:
    """The product page's view of `product_visible_to`: NotFound instead of None."""
    product = product_visible_to(user=user, public_id=public_id)
    if product is None:
        raise NotFound(_("No such product."), code="product_not_found")
    return ProductPage(product=product, preview=not product_is_public(product))


def product_photos(*, product: Product) -> list[ProductPhoto]:
    """The photos buyers see: not those hidden for photo rights (evillage.sameitem)."""
    return list(product.photos.filter(hidden_at=None))


def product_variants(*, product: Product) -> list[Sku]:
    return list(product.skus.filter(is_active=True))


def shop_other_products(*, product: Product, limit: int = 8) -> QuerySet[Product]:
    others = public_products().filter(shop_id=product.shop_id).exclude(pk=product.pk)
    return for_cards(sort_products(others, "sales"))[:limit]


# The seller's view of the catalogue: the shop's own listings, whatever their status.


def shop_products(*, shop: Shop, status: str | None = None) -> QuerySet[Product]:
    products = (
        Product.objects.filter(shop=shop)
        .select_related("category")
        .annotate(stock_total=Sum("skus__available"))
        .prefetch_related(
            "skus",
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
        )
        .order_by("-created_at", "-id")
    )
    if status:
        products = products.filter(status=status)
    return products


def shop_product(*, shop: Shop, public_id: str) -> Product | None:
    return (
        Product.objects.select_related("shop", "category")
        .filter(shop=shop, public_id=public_id)
        .first()
    )


def shop_sku(*, shop: Shop, public_id: str) -> Sku | None:
    return (
        Sku.objects.select_related("product__shop")
        .filter(product__shop=shop, public_id=public_id)
        .first()
    )


def shop_photo(*, shop: Shop, public_id: str) -> ProductPhoto | None:
    return (
        ProductPhoto.objects.select_related("product__shop")
        .filter(product__shop=shop, public_id=public_id)
        .first()
    )


def product_by_public_id(*, public_id: str) -> Product | None:
    """Any product, for writes: the services then decide whether the actor may touch it."""
    return Product.objects.select_related("shop").filter(public_id=public_id).first()


def sku_by_public_id(*, public_id: str) -> Sku | None:
    return Sku.objects.select_related("product__shop").filter(public_id=public_id).first()


def photo_by_public_id(*, public_id: str) -> ProductPhoto | None:
    return ProductPhoto.objects.select_related("product__shop").filter(public_id=public_id).first()
