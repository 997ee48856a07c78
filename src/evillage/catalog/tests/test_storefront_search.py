"""Search (/search/?q=): Chinese substrings, every word for Indonesian and English."""

import re

import pytest
from django.urls import reverse

from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("catalog:search")


def found(client, **params) -> list[str]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    html = response.content.decode()
    titles = re.findall(r'<span class="title">(.*?)</span>', html)
    return sorted(titles)


@pytest.fixture
def shop():
    return ShopFactory()


def test_chinese_matches_a_substring_without_spaces(client, shop):
    ProductFactory(shop=shop, title="北欧实木餐桌椅组合")
    ProductFactory(shop=shop, title="餐桌布 防水")
    ProductFactory(shop=shop, title="实木书桌")
    assert found(client, q="餐桌") == ["北欧实木餐桌椅组合", "餐桌布 防水"]


def test_indonesian_needs_every_word_in_any_order(client, shop):
    ProductFactory(shop=shop, title="Kain Batik Tulis Pekalongan")
    ProductFactory(shop=shop, title="Tulis dan batik cap")
    ProductFactory(shop=shop, title="Batik cap murah")
    assert found(client, q="batik tulis") == ["Kain Batik Tulis Pekalongan", "Tulis dan batik cap"]


def test_english_is_case_insensitive(client, shop):
    ProductFactory(shop=shop, title="Oak Dining Table")
    ProductFactory(shop=shop, title="oak chair")
    assert found(client, q="OAK table") == ["Oak Dining Table"]
    assert found(client, q="  oak  ") == ["Oak Dining Table", "oak chair"]


def test_only_public_products_are_found(client, shop):
    ProductFactory(shop=shop, title="餐桌 在售")
    ProductFactory(shop=shop, title="餐桌 草稿", status=ProductStatus.DRAFT)
    ProductFactory(shop=shop, title="餐桌 违规", status=ProductStatus.BANNED)
    ProductFactory(shop=ShopFactory(status="closed"), title="餐桌 关店")
    assert found(client, q="餐桌") == ["餐桌 在售"]


def test_category_filter_includes_subcategories(client, shop):
    furniture = CategoryFactory(slug="s-furniture")
    tables = CategoryFactory(slug="s-tables", parent=furniture)
    ProductFactory(shop=shop, category=tables, title="餐桌 A")
    ProductFactory(shop=shop, title="餐桌 B")
    assert found(client, q="餐桌", category="s-furniture") == ["餐桌 A"]
    assert found(client, q="餐桌", category="s-tables") == ["餐桌 A"]
    # An unknown category does not hide everything.
    assert found(client, q="餐桌", category="nope") == ["餐桌 A", "餐桌 B"]


def test_sorting_and_pagination_keep_the_query(client, shop):
    for index in range(26):
        ProductFactory(shop=shop, title=f"茶叶 {index:02d}", skus=[("罐", 1000 + index, 1)])
    response = client.get(SEARCH, {"q": "茶叶", "sort": "price_desc"})
    html = response.content.decode()
    assert "26 products match" in html
    titles = re.findall(r'<span class="title">(.*?)</span>', html)
    assert titles[:2] == ["茶叶 25", "茶叶 24"] and len(titles) == 24
    assert 'href="?q=%E8%8C%B6%E5%8F%B6&amp;sort=price_desc&amp;page=2"' in html
    page2 = client.get(SEARCH, {"q": "茶叶", "sort": "price_desc", "page": 2})
    assert re.findall(r'<span class="title">(.*?)</span>', page2.content.decode()) == [
        "茶叶 01",
        "茶叶 00",
    ]


def test_empty_query_shows_a_hint_and_no_products(client, shop):
    ProductFactory(shop=shop)
    html = client.get(SEARCH, {"q": "   "}).content.decode()
    assert "Type the name of a product" in html
    assert 'class="card"' not in html


def test_too_long_query_is_refused_politely(client, shop):
    ProductFactory(shop=shop, title="a" * 100)
    response = client.get(SEARCH, {"q": "a" * 101})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That search is too long" in html
    assert 'class="card"' not in html


def test_query_is_echoed_escaped_in_the_search_boxes(client):
    html = client.get(SEARCH, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "<script>alert" not in html


def test_no_match_says_so(client):
    assert "0 products match" in client.get(SEARCH, {"q": "不存在的东西"}).content.decode()


def test_search_uses_few_queries(client, shop, django_assert_max_num_queries):
    for index in range(30):
        ProductFactory(shop=shop, title=f"Batik tulis {index}")
    with django_assert_max_num_queries(5):
        assert client.get(SEARCH, {"q": "batik TULIS"}).status_code == 200


def test_control_characters_in_the_query_are_dropped_not_searched(client, shop):
    ProductFactory(shop=shop, title="Batik tulis Solo")
    html = client.get(SEARCH, {"q": "batik\x01solo\x7f"}).content.decode()
    assert "Batik tulis Solo" in html
    assert 'value="batik solo"' in html
