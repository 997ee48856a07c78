"""Categories index and category listings: subcategories, sorting, pagination."""

import re

import pytest
from django.urls import reverse

from evillage.catalog.models import Product, ProductStatus
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory
from evillage.web.tests.storefront_data import add_photo

pytestmark = pytest.mark.django_db


def product_links(html: str) -> list[str]:
    """Public ids of the product cards, in page order."""
    return re.findall(r'<li class="card"><a href="/p/([0-9a-z]+)/">', html)


@pytest.fixture
def tree():
    root = CategoryFactory(slug="zz-furniture", name_en="ZZ Furniture", name_zh_hans="ZZ家具")
    child = CategoryFactory(slug="zz-tables", name_en="ZZ Tables", parent=root)
    grandchild = CategoryFactory(slug="zz-dining", name_en="ZZ Dining tables", parent=child)
    return root, child, grandchild


def test_categories_index_lists_top_categories_subcategories_and_counts(client, tree):
    root, _child, grandchild = tree
    ProductFactory(category=grandchild)
    ProductFactory(category=root)
    ProductFactory(category=root, status=ProductStatus.DRAFT)
    html = client.get(reverse("catalog:categories")).content.decode()
    assert 'ZZ Furniture</a> <span class="muted">(2)</span>' in html
    assert "ZZ Tables <span" in html
    assert reverse("catalog:category", args=["zz-tables"]) in html


def test_categories_show_their_localised_names(client, tree):
    html = client.get(reverse("catalog:categories"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "ZZ家具" in html.content.decode()


def test_listing_includes_subcategories_but_only_public_products(client, tree):
    root, _child, grandchild = tree
    deep = ProductFactory(category=grandchild, title="深层餐桌")
    ProductFactory(category=grandchild, title="草稿餐桌", status=ProductStatus.DRAFT)
    ProductFactory(category=root, title="关店的桌子", shop=ShopFactory(status=ShopStatus.SUSPENDED))
    other = ProductFactory(title="别类的东西")
    html = client.get(reverse("catalog:category", args=["zz-furniture"])).content.decode()
    assert product_links(html) == [deep.public_id]
    assert other.title not in html


def test_listing_shows_subcategory_chips_and_breadcrumbs(client, tree):
    html = client.get(reverse("catalog:category", args=["zz-tables"])).content.decode()
    crumbs = html[
        html.index('class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))
    ]
    assert reverse("catalog:category", args=["zz-furniture"]) in crumbs
    assert "ZZ Tables" in crumbs
    assert reverse("catalog:category", args=["zz-dining"]) in html  # subcategory chip
    assert "<h1>ZZ Tables" in html


def test_unknown_category_is_not_found(client):
    assert client.get(reverse("catalog:category", args=["no-such-thing"])).status_code == 404


@pytest.fixture
def priced(tree):
    root = tree[0]
    cheap = ProductFactory(category=root, skus=[("a", 500, 1)])
    dear = ProductFactory(category=root, skus=[("a", 90000, 1), ("b", 100000, 1)])
    middle = ProductFactory(category=root, skus=[("a", 3000, 1)])
    Product.objects.filter(pk=middle.pk).update(sales_count=50)
    Product.objects.filter(pk=cheap.pk).update(sales_count=5)
    return cheap, dear, middle


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["cheap", "middle", "dear"]),
        ("price_desc", ["dear", "middle", "cheap"]),
        ("sales", ["middle", "cheap", "dear"]),
        ("newest", ["middle", "dear", "cheap"]),
        ("bogus", ["middle", "dear", "cheap"]),
    ],
)
def test_sorting(client, priced, sort, expected):
    cheap, dear, middle = priced
    names = {cheap.public_id: "cheap", dear.public_id: "dear", middle.public_id: "middle"}
    response = client.get(reverse("catalog:category", args=["zz-furniture"]), {"sort": sort})
    assert [names[p] for p in product_links(response.content.decode())] == expected


def test_current_sort_is_marked_and_sort_links_keep_other_parameters(client, priced):
    html = client.get(
        reverse("catalog:category", args=["zz-furniture"]), {"sort": "sales", "page": "1"}
    ).content.decode()
    assert 'href="?sort=sales" class="on" aria-current="true"' in html
    assert 'href="?sort=price_asc"' in html  # changing the sort goes back to page 1


@pytest.fixture
def shop():
    """One shop for many products (each new shop also creates a seller)."""
    return ShopFactory()


def test_pagination_24_per_page_and_out_of_range_pages(client, tree, shop):
    root = tree[0]
    products = [ProductFactory(category=root, shop=shop) for _ in range(30)]
    newest_first = [p.public_id for p in reversed(products)]
    listing = reverse("catalog:category", args=["zz-furniture"])

    first = client.get(listing).content.decode()
    assert product_links(first) == newest_first[:24]
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first

    second = client.get(listing, {"page": 2}).content.decode()
    assert product_links(second) == newest_first[24:]
    assert 'rel="prev"' in second

    # Past the end shows the last page; nonsense shows the first.
    assert product_links(client.get(listing, {"page": 99}).content.decode()) == newest_first[24:]
    assert (
        product_links(client.get(listing, {"page": "x"}).content.decode())[:1] == newest_first[:1]
    )


def test_pagination_links_keep_the_sort(client, tree, shop):
    for _ in range(25):
        ProductFactory(category=tree[0], shop=shop)
    html = client.get(
        reverse("catalog:category", args=["zz-furniture"]), {"sort": "price_asc"}
    ).content.decode()
    assert 'href="?sort=price_asc&amp;page=2"' in html


def test_listing_of_24_products_with_photos_uses_few_queries(
    client, tree, django_assert_max_num_queries
):
    shops = [ShopFactory() for _ in range(3)]
    for index in range(30):
        product = ProductFactory(category=tree[index % 3], shop=shops[index % 3])
        add_photo(product)
        add_photo(product, position=1)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("catalog:category", args=["zz-furniture"]))
    html = response.content.decode()
    assert len(product_links(html)) == 24
    assert html.count('width="300" height="300"') == 24


def test_categories_index_uses_few_queries(client, tree, django_assert_max_num_queries):
    for category in tree:
        ProductFactory(category=category)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("catalog:categories")).status_code == 200
