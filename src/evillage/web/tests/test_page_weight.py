"""Pages stay light for rural 3G: HTML + the CSS and JS each page loads ≤ 150 KB.

Counted uncompressed (compression would only make them lighter); photos are excluded.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.places.tests.factories import PlaceFactory
from evillage.shops.models import ShopKind
from evillage.shops.tests.factories import ShopFactory
from evillage.web.tests.storefront_data import add_photo

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')

TITLE = "【产地直发】北欧实木餐桌椅组合 橡木 家用小户型长方形饭桌 1.4米一桌四椅 包安装 {}"
DESCRIPTION = "沙集镇自有工厂生产，选用进口白橡木，榫卯结构，环保水性漆。\n" * 30


def assets_size(html: str) -> int:
    total = 0
    for url in set(ASSET.findall(html)):
        # settings.STATIC_URL is read back with its leading slash ("/static/").
        assert url.startswith(settings.STATIC_URL), f"not one of our static files: {url}"
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, f"{url} is not a static file"
        total += Path(path).stat().st_size
    return total


@pytest.fixture
def store():
    village = PlaceFactory(name="沙集镇东风村", households=1200)
    category = CategoryFactory(slug="weight-furniture")
    shops = [
        ShopFactory(village=village, kind=ShopKind.INDIVIDUAL, description=DESCRIPTION[:1500])
        for _ in range(6)
    ]
    products = []
    for index in range(30):
        product = ProductFactory(
            shop=shops[index % 2],
            category=category,
            title=TITLE.format(index),
            description=DESCRIPTION,
            skus=[(f"{size}米 原木色 款式{index}", 129900 + size * 100, 5) for size in range(6)],
        )
        add_photo(product)
        products.append(product)
    for position in range(1, 9):
        add_photo(products[0], position=position)
    return village, category, shops[0], products[0]


def test_every_page_fits_the_budget(client, store):
    village, category, shop, product = store
    pages = {
        "home": reverse("web:home"),
        "category": reverse("catalog:category", args=[category.slug]),
        "product": reverse("catalog:product", args=[product.public_id]),
        "shop": reverse("web:shop", args=[shop.public_id]),
        "village": reverse("web:place", args=[village.key]),
        "search": reverse("catalog:search") + "?q=餐桌",
    }
    weights = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        weights[name] = len(response.content) + assets_size(html)
    # The listings really are full pages, and the product shows all nine photos.
    assert client.get(pages["category"]).content.decode().count('class="card"') == 24
    assert client.get(pages["product"]).content.decode().count('<li id="photo-') == 9
    heavy = {name: weight for name, weight in weights.items() if weight > BUDGET}
    assert not heavy, f"over {BUDGET} bytes: {heavy} (all pages: {weights})"


def test_pages_load_only_local_css_and_js(client, store):
    html = client.get(reverse("web:home")).content.decode()
    urls = set(ASSET.findall(html))
    assert urls == {"/static/web/site.css", "/static/web/htmx.min.js"}
