"""The home page: categories, villages with most shops, featured shops, new products."""

import pytest
from django.urls import reverse

from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.places.tests.factories import PlaceFactory
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory
from evillage.web.tests.storefront_data import add_photo

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_top_categories_are_chips_with_localised_names(client):
    CategoryFactory(slug="aa-home", name_en="AA Home", name_zh_hans="AA家居", position=0)
    CategoryFactory(slug="aa-child", name_en="AA Child", parent=CategoryFactory(slug="aa-parent"))
    html = client.get(HOME).content.decode()
    categories = section(html, "h-categories")
    assert "AA Home" in categories
    assert "AA Child" not in categories  # subcategories are not on the home page
    client.cookies["evillage_language"] = "zh-hans"
    assert "AA家居" in section(client.get(HOME).content.decode(), "h-categories")


def test_villages_with_most_open_shops_come_first_with_counts(client):
    busy, quiet = PlaceFactory(name="淘宝一村"), PlaceFactory(name="淘宝二村")
    for _ in range(3):
        ShopFactory(village=busy)
    ShopFactory(village=quiet)
    ShopFactory(village=quiet, status=ShopStatus.CLOSED)
    villages = section(client.get(HOME).content.decode(), "h-villages")
    assert villages.index("淘宝一村") < villages.index("淘宝二村")
    assert "3 shops" in villages
    assert "1 shop<" in villages
    assert reverse("web:place", args=[busy.key]) in villages


def test_featured_shops_first_then_by_products_on_sale(client):
    big = ShopFactory(name="大店")
    for _ in range(3):
        ProductFactory(shop=big)
    small = ShopFactory(name="小店")
    ProductFactory(shop=small)
    ProductFactory(shop=small, status=ProductStatus.DRAFT)
    ShopFactory(name="推荐店", is_featured=True)
    ShopFactory(name="关门店", status=ShopStatus.SUSPENDED, is_featured=True)
    shops = section(client.get(HOME).content.decode(), "h-shops")
    assert shops.index("推荐店") < shops.index("大店") < shops.index("小店")
    assert "关门店" not in shops
    assert "3 products" in shops and "1 product<" in shops
    assert "Featured" in shops


def test_newest_products_grid_shows_only_public_products(client):
    shop = ShopFactory()
    old = ProductFactory(shop=shop, title="旧桌子")
    new = ProductFactory(shop=shop, title="新椅子", skus=[("a", 1990, 1), ("b", 2990, 1)])
    ProductFactory(shop=shop, title="草稿床", status=ProductStatus.DRAFT)
    products = section(client.get(HOME).content.decode(), "h-new")
    assert products.index(new.title) < products.index(old.title)
    assert "草稿床" not in products
    assert "CN¥19.90–CN¥29.90" in products


def test_home_uses_few_queries(client, django_assert_max_num_queries):
    for _ in range(4):
        shop = ShopFactory()
        for _ in range(4):
            add_photo(ProductFactory(shop=shop))
    with django_assert_max_num_queries(6):
        assert client.get(HOME).status_code == 200


def test_six_villages_at_most_ties_by_name_and_none_with_only_closed_shops(client):
    names = ["Desa G", "Desa B", "Desa F", "Desa A", "Desa E", "Desa C", "Desa D"]
    for name in names:
        ShopFactory(village=PlaceFactory(name=name))
    ShopFactory(village=PlaceFactory(name="Desa Tutup"), status=ShopStatus.CLOSED)
    villages = section(client.get(HOME).content.decode(), "h-villages")
    shown = [name for name in sorted(names) if name in villages]
    assert shown == ["Desa A", "Desa B", "Desa C", "Desa D", "Desa E", "Desa F"]
    assert [villages.index(name) for name in shown] == sorted(villages.index(n) for n in shown)
    assert villages.count("1 shop<") == 6
    assert "Desa Tutup" not in villages
