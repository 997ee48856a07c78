"""Village pages (/v/<key>/), which work for every level of the administrative tree."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import ProductFactory
from evillage.places.models import Level, Place
from evillage.places.tests.factories import PlaceFactory
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def url(place):
    return reverse("web:place", args=[place.key])


@pytest.fixture
def village():
    return PlaceFactory(code="320324104201", name="东风村")


def chain(village):
    """Province, city, county, town."""
    places = []
    current = village.parent
    while current is not None:
        places.append(current)
        current = current.parent
    return places[::-1]


def test_village_shows_name_full_path_households_shops_and_products(client, village):
    village.households = 812
    village.save()
    shop = ShopFactory(village=village, name="东风家具")
    ProductFactory(shop=shop, title="东风餐桌")
    ProductFactory(shop=shop, title="东风草稿", status=ProductStatus.DRAFT)
    ShopFactory(village=village, name="已关的店", status=ShopStatus.CLOSED)
    html = client.get("/v/cn-320324104201/").content.decode()
    assert "<h1>东风村" in html
    for ancestor in chain(village):
        assert f'href="{url(ancestor)}">{ancestor.name}</a>' in html
    assert "Households</dt><dd>812</dd>" in html
    assert "东风家具" in html and "1 product<" in html
    assert "已关的店" not in html
    assert "东风餐桌" in html and "东风草稿" not in html


def test_location_comes_from_the_nearest_ancestor_with_coordinates(client, village):
    province, _city, county, _town = chain(village)
    province.latitude, province.longitude = Decimal("32.0"), Decimal("119.0")
    province.save()
    county.latitude, county.longitude = Decimal("34.250000"), Decimal("117.500000")
    county.save()
    html = client.get(url(village)).content.decode()
    assert "34.250000, 117.500000" in html
    assert f"location of {county.name}" in html
    assert (
        "https://www.openstreetmap.org/?mlat=34.250000&amp;mlon=117.500000"
        "#map=10/34.250000/117.500000"
    ) in html
    assert "<iframe" not in html and '<script src="http' not in html


def test_own_coordinates_win_and_are_not_localised(client, village):
    village.latitude, village.longitude = Decimal("34.101234"), Decimal("117.801234")
    village.save()
    html = client.get(url(village), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "34.101234, 117.801234" in html
    assert "#map=14/34.101234/117.801234" in html


def test_no_coordinates_anywhere_shows_no_location(client, village):
    assert "openstreetmap" not in client.get(url(village)).content.decode()


def test_a_town_ranks_its_villages_by_open_shops(client, village):
    town = village.parent
    busy = PlaceFactory(code="320324104202", name="沙集村")
    empty = PlaceFactory(code="320324104203", name="无店村")
    assert busy.parent == town and empty.parent == town
    for _ in range(2):
        ShopFactory(village=busy)
    shop = ShopFactory(village=village)
    ProductFactory(shop=shop, title="镇上的桌子")
    html = client.get(url(town)).content.decode()
    assert html.index("沙集村") < html.index("东风村")
    assert "2 shops" in html
    assert "无店村" not in html
    assert "镇上的桌子" in html  # products from the whole town


def test_county_and_province_pages_reach_villages_several_levels_down(client, village):
    ShopFactory(village=village)
    province, _city, county, _town = chain(village)
    for place in (county, province):
        response = client.get(url(place))
        assert response.status_code == 200
        assert "东风村" in response.content.decode()


def test_indonesian_villages_without_a_city_level(client):
    province = Place.objects.create(
        country="id", code="32", level=Level.PROVINCE, name="Jawa Barat"
    )
    regency = Place.objects.create(
        country="id", code="32.04", level=Level.COUNTY, name="Kab. Bandung", parent=province
    )
    district = Place.objects.create(
        country="id", code="32.04.12", level=Level.TOWN, name="Soreang", parent=regency
    )
    desa = Place.objects.create(
        country="id", code="32.04.12.2001", level=Level.VILLAGE, name="Desa Batik", parent=district
    )
    ProductFactory(shop=ShopFactory(village=desa), title="Batik tulis Soreang")
    html = client.get(url(province), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Desa Batik" in html and "Batik tulis Soreang" in html
    village_html = client.get("/v/id-32.04.12.2001/").content.decode()
    assert "Kab. Bandung" in village_html


def test_unknown_place_is_the_404_page(client):
    response = client.get("/v/cn-999999999999/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_village_page_uses_few_queries(client, village, django_assert_max_num_queries):
    for _ in range(3):
        shop = ShopFactory(village=village)
        for _ in range(5):
            ProductFactory(shop=shop)
    with django_assert_max_num_queries(6):
        assert client.get(url(village)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(url(village.parent.parent)).status_code == 200


def test_a_place_shows_only_what_is_below_it_in_its_own_country(client, village):
    """Official codes of China and Indonesia overlap (both have a province "32"), and a
    neighbouring county's codes start like this one's."""
    ProductFactory(shop=ShopFactory(village=village), title="睢宁的桌子")
    neighbour = PlaceFactory(code="320325104201", name="邻县村")
    ProductFactory(shop=ShopFactory(village=neighbour), title="邻县的椅子")
    jawa_barat = Place.objects.create(country="id", code="32", level=Level.PROVINCE, name="Jawa")
    regency = Place.objects.create(
        country="id", code="32.04", level=Level.COUNTY, name="Bandung", parent=jawa_barat
    )
    district = Place.objects.create(
        country="id", code="32.04.12", level=Level.TOWN, name="Soreang", parent=regency
    )
    desa = Place.objects.create(
        country="id", code="32.04.12.2001", level=Level.VILLAGE, name="Desa Batik", parent=district
    )
    ProductFactory(shop=ShopFactory(village=desa), title="Batik tulis")
    _province, _city, county, _town = chain(village)

    county_html = client.get(url(county)).content.decode()
    assert "东风村" in county_html and "睢宁的桌子" in county_html
    assert "邻县村" not in county_html and "邻县的椅子" not in county_html

    china_html = client.get("/v/cn-32/").content.decode()
    assert "睢宁的桌子" in china_html and "邻县的椅子" in china_html
    assert "Batik tulis" not in china_html and "Desa Batik" not in china_html
    assert "(2)" in china_html  # products from here

    indonesia_html = client.get("/v/id-32/").content.decode()
    assert "Batik tulis" in indonesia_html and "Desa Batik" in indonesia_html
    assert "睢宁的桌子" not in indonesia_html and "东风村" not in indonesia_html


def test_closed_shops_neither_rank_a_village_nor_show_products(client, village):
    shop = ShopFactory(village=village, status=ShopStatus.CLOSED)
    ProductFactory(shop=shop, title="关门店的柜子")
    html = client.get(url(village.parent)).content.decode()
    assert "No village here has a shop yet." in html
    assert "关门店的柜子" not in html
