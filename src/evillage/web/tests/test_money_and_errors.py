"""Money display in the reader's language, and the error pages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from evillage.catalog.tests.factories import ProductFactory


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load storefront %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "CN¥1,234.50"), ("zh-hans", "¥1,234.50"), ("id", "CN¥1.234,50")],
)
def test_money_filter_formats_in_the_active_language(language, expected):
    assert render("{{ amount|money:'CNY' }}", language, amount=123450) == expected


def test_rupiah_without_cents():
    assert render("{{ amount|money:'IDR' }}", "id", amount=12500000) == "Rp125.000"


def test_price_range_shows_one_price_when_equal_and_a_range_otherwise():
    assert render("{% price_range 1990 3990 'CNY' %}", "zh-hans") == "¥19.90–¥39.90"
    assert render("{% price_range 1990 1990 'CNY' %}", "zh-hans") == "¥19.90"
    assert render("{% price_range None None 'CNY' %}", "en") == ""


@pytest.mark.django_db
def test_404_page_in_the_sites_style_and_language(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert reverse("catalog:categories") in html
    assert '<html lang="zh-hans">' in html


def test_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "/static/web/site.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "id"])
def test_every_page_renders_in_chinese_and_indonesian(client, language):
    product = ProductFactory()
    shop, village = product.shop, product.shop.village
    client.cookies["evillage_language"] = language
    urls = [
        reverse("web:home"),
        reverse("catalog:categories"),
        reverse("catalog:category", args=[product.category.slug]),
        reverse("catalog:product", args=[product.public_id]),
        reverse("web:shop", args=[shop.public_id]),
        reverse("web:place", args=[village.key]),
        reverse("web:place", args=[village.parent.key]),
        reverse("catalog:search") + "?q=餐桌",
        reverse("catalog:search"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        assert f'<option value="{language}" lang="{language}" selected>' in html


@pytest.mark.django_db
def test_category_names_follow_the_language(client):
    product = ProductFactory()
    category = product.category
    url = reverse("catalog:product", args=[product.public_id])
    assert category.name_id in client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert category.name_zh_hans in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


@pytest.mark.django_db
def test_language_switcher_works_without_javascript(client):
    """The header form posts to set_language and comes back to the same page."""
    home = client.get(reverse("web:home")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in home
    response = client.post(
        reverse("set_language"), {"language": "id", "next": reverse("catalog:categories")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:categories")
    assert '<html lang="id">' in client.get(reverse("catalog:categories")).content.decode()
