"""The product page (/p/<public_id>/): what a buyer sees, and who may see it at all."""

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.shops.models import ShopStaff, ShopStatus, StaffRole
from evillage.shops.tests.factories import ShopFactory
from evillage.web.tests.storefront_data import add_photo

pytestmark = pytest.mark.django_db


def url(product):
    return reverse("catalog:product", args=[product.public_id])


def test_shows_title_price_range_variants_stock_and_sold_out(client):
    product = ProductFactory(title="实木餐桌 1.2米", skus=[("1.2米", 1990, 3), ("1.5米", 3990, 0)])
    html = client.get(url(product)).content.decode()
    assert "实木餐桌 1.2米" in html
    assert "CN¥19.90–CN¥39.90" in html
    assert "1.5米" in html and "CN¥39.90" in html
    assert "3 left" in html
    assert "Sold out" in html


def test_single_price_when_all_variants_cost_the_same(client):
    product = ProductFactory(skus=[("红", 19900, 1), ("蓝", 19900, 1)])
    html = client.get(url(product)).content.decode()
    assert "CN¥199.00" in html
    assert "–CN¥" not in html


def test_prices_follow_the_readers_language(client):
    product = ProductFactory(skus=[("M", 1990, 1)])
    client.cookies["evillage_language"] = "zh-hans"
    assert "¥19.90" in client.get(url(product)).content.decode()


def test_rupiah_prices_in_indonesian(client):
    shop = ShopFactory(currency="IDR")
    product = ProductFactory(shop=shop, skus=[("M", 12500000, 1)])  # IDR has 2 minor digits
    html = client.get(url(product), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Rp125.000" in html


def test_photos_medium_and_thumbnails_sized_and_lazy(client):
    product = ProductFactory()
    first = add_photo(product, position=0, size=(1600, 1200))
    second = add_photo(product, position=1, size=(900, 1600))
    html = client.get(url(product)).content.decode()
    assert f'src="{first.medium.url}"' in html
    assert 'width="800" height="600"' in html  # the medium version fits in 800 px
    assert 'width="450" height="800"' in html
    assert f'src="{second.thumb.url}"' in html
    # The first photo loads at once; the others only when scrolled to.
    assert html.count('loading="lazy"') >= 2
    assert f'src="{first.medium.url}" alt="{product.title}" width="800" height="600" dec' in html


def test_description_is_escaped_and_keeps_line_breaks(client):
    product = ProductFactory(
        title="<script>alert('t')</script> 桌子",
        description="第一行\n<script>alert('x')</script>\n<b>粗</b>",
    )
    html = client.get(url(product)).content.decode()
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;粗&lt;/b&gt;" in html
    assert "第一行<br>" in html


def test_category_breadcrumbs_and_shop_card(client):
    parent = CategoryFactory(slug="furniture-x", name_en="Furniture X")
    child = CategoryFactory(slug="tables-x", name_en="Tables X", parent=parent)
    product = ProductFactory(category=child)
    shop = product.shop
    html = client.get(url(product)).content.decode()
    assert reverse("catalog:category", args=["furniture-x"]) in html
    assert reverse("catalog:category", args=["tables-x"]) in html
    assert html.index("Furniture X") < html.index("Tables X")
    assert shop.name in html
    assert "individual shop (C2C)" in html
    assert reverse("web:place", args=[shop.village.key]) in html
    assert shop.village.name in html


def test_other_products_of_the_shop_are_listed_but_not_drafts(client):
    product = ProductFactory()
    sibling = ProductFactory(shop=product.shop, title="同店的椅子")
    draft = ProductFactory(shop=product.shop, title="草稿柜子", status=ProductStatus.DRAFT)
    stranger = ProductFactory(title="别家的床")
    html = client.get(url(product)).content.decode()
    assert sibling.title in html
    assert draft.title not in html
    assert stranger.title not in html


@pytest.mark.parametrize(
    "status", [ProductStatus.DRAFT, ProductStatus.DELISTED, ProductStatus.BANNED]
)
def test_products_not_on_sale_are_not_found(client, status):
    product = ProductFactory(status=status)
    response = client.get(url(product))
    assert response.status_code == 404
    assert product.title not in response.content.decode()


@pytest.mark.parametrize("status", [ShopStatus.CLOSED, ShopStatus.SUSPENDED])
def test_products_of_a_closed_shop_are_not_found(client, status):
    product = ProductFactory(shop=ShopFactory(status=status))
    assert client.get(url(product)).status_code == 404


def test_unknown_product_shows_the_404_page(client):
    response = client.get(reverse("catalog:product", args=["0000000000000000"]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_shop_staff_preview_a_draft_with_a_banner(client):
    product = ProductFactory(status=ProductStatus.DRAFT, title="还没上架的桌子")
    worker = UserFactory()
    ShopStaff.objects.create(shop=product.shop, user=worker, role=StaffRole.CUSTOMER_SERVICE)
    client.force_login(worker)
    response = client.get(url(product))
    assert response.status_code == 200
    html = response.content.decode()
    assert "还没上架的桌子" in html
    assert "Preview: this product is not on sale" in html


def test_staff_see_why_a_product_was_banned(client):
    product = ProductFactory(status=ProductStatus.BANNED, ban_reason="假冒品牌")
    client.force_login(product.shop.owner)
    html = client.get(url(product)).content.decode()
    assert "Preview" in html and "假冒品牌" in html


def test_staff_of_another_shop_get_no_preview(client):
    product = ProductFactory(status=ProductStatus.DRAFT)
    other_owner = ShopFactory().owner
    client.force_login(other_owner)
    assert client.get(url(product)).status_code == 404


def test_public_product_has_no_preview_banner_even_for_staff(client):
    product = ProductFactory()
    client.force_login(product.shop.owner)
    assert "Preview" not in client.get(url(product)).content.decode()


def test_product_page_with_nine_photos_uses_few_queries(client, django_assert_max_num_queries):
    product = ProductFactory(skus=[(f"款{i}", 1000 + i, i) for i in range(6)])
    for position in range(9):
        add_photo(product, position=position)
    for _ in range(8):
        add_photo(ProductFactory(shop=product.shop, category=product.category))
    with django_assert_max_num_queries(7):
        response = client.get(url(product))
    assert response.status_code == 200
