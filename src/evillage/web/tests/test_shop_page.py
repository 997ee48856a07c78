"""The shop page (/s/<public_id>/)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import ProductFactory
from evillage.shops.models import ShopKind, ShopStatus
from evillage.shops.tests.factories import ShopFactory
from evillage.web.tests.storefront_data import jpeg

pytestmark = pytest.mark.django_db


def url(shop):
    return reverse("web:shop", args=[shop.public_id])


def test_shows_logo_name_kind_description_village_and_products(client):
    shop = ShopFactory(
        name="沙集好家具", kind=ShopKind.ENTERPRISE, description="厂家直销\n全国包邮"
    )
    shop.logo.save("logo.jpg", ContentFile(jpeg((8, 8)).read()))
    ProductFactory(shop=shop, title="橡木床")
    ProductFactory(shop=shop, title="下架的床", status=ProductStatus.DELISTED)
    html = client.get(url(shop)).content.decode()
    assert "<h1>沙集好家具</h1>" in html
    assert f'src="{shop.logo.url}"' in html
    assert "enterprise store (B2C)" in html
    assert "厂家直销<br>全国包邮" in html
    assert reverse("web:place", args=[shop.village.key]) in html
    assert "橡木床" in html and "下架的床" not in html
    # Breadcrumbs lead up the village's administrative path.
    assert reverse("web:place", args=[shop.village.parent.key]) in html


def test_shop_name_and_description_are_escaped(client):
    shop = ShopFactory(name="<script>alert(1)</script>", description="<script>alert(2)</script>")
    html = client.get(url(shop)).content.decode()
    assert "&lt;script&gt;alert(1)" in html and "&lt;script&gt;alert(2)" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize("status", [ShopStatus.CLOSED, ShopStatus.SUSPENDED])
def test_closed_and_suspended_shops_are_not_found(client, status):
    shop = ShopFactory(status=status)
    assert client.get(url(shop)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url(shop)).status_code == 404


def test_the_owner_previews_a_closed_shop(client):
    shop = ShopFactory(status=ShopStatus.CLOSED)
    client.force_login(shop.owner)
    response = client.get(url(shop))
    assert response.status_code == 200
    assert "Preview: this shop is not open" in response.content.decode()


def test_products_are_sorted_and_paginated(client):
    shop = ShopFactory()
    for index in range(25):
        ProductFactory(shop=shop, title=f"凳子{index:02d}", skus=[("a", 100 + index, 1)])
    html = client.get(url(shop), {"sort": "price_asc"}).content.decode()
    titles = re.findall(r'<span class="title">(.*?)</span>', html)
    assert titles[:3] == ["凳子00", "凳子01", "凳子02"] and len(titles) == 24
    assert "(25)" in html
    page2 = client.get(url(shop), {"sort": "price_asc", "page": 2}).content.decode()
    assert re.findall(r'<span class="title">(.*?)</span>', page2) == ["凳子24"]


def test_shop_page_uses_few_queries(client, django_assert_max_num_queries):
    shop = ShopFactory()
    for _ in range(10):
        ProductFactory(shop=shop)
    with django_assert_max_num_queries(4):
        assert client.get(url(shop)).status_code == 200
