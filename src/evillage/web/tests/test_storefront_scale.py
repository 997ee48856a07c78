"""Storefront pages with a whole country of villages: the cost of a page must not grow
with villages that have no shop (China has 620,000 of them).

Measured in SQLite virtual-machine steps, which count the rows a query reads whatever
the machine's speed; a query scanning the places table takes many times more steps once
thousands of villages are added.
"""

import pytest
from django.db import connection

from evillage.catalog.tests.factories import ProductFactory
from evillage.places.models import Level, Place
from evillage.places.tests.factories import PlaceFactory
from evillage.shops.tests.factories import ShopFactory
from evillage.web import selectors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite VM steps"),
]
EMPTY_VILLAGES = 5000


def vm_steps(evaluate) -> int:
    """SQLite VM steps (in hundreds) taken by `evaluate()`."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    connection.ensure_connection()
    connection.connection.set_progress_handler(tick, 100)
    try:
        evaluate()
    finally:
        connection.connection.set_progress_handler(None, 100)
    return steps


def add_empty_villages(town: Place) -> None:
    """Villages without shops under `town`, as the importer loads them."""
    Place.objects.bulk_create(
        Place(
            key=Place.make_key(town.country, code := f"{town.code}{5000 + n}"),
            country=town.country,
            code=code,
            level=Level.VILLAGE,
            name=f"空{n}村",
            search_name=f"空{n}村",
            parent=town,
        )
        for n in range(EMPTY_VILLAGES)
    )


@pytest.fixture
def village():
    """A village of 睢宁县 (Jiangsu) with two shops selling a product each."""
    place = PlaceFactory(code="320324104201")
    for _ in range(2):
        ProductFactory(shop=ShopFactory(village=place))
    return place


def page_queries(village: Place):
    county = village.parent.parent
    province = county.parent.parent
    return {
        "home villages": lambda: list(selectors.featured_villages()),
        "county villages": lambda: list(selectors.villages_ranked(place=county)),
        "county products": lambda: selectors.place_products(place=county, sort="newest").count(),
        "province villages": lambda: list(selectors.villages_ranked(place=province)),
        "province products": lambda: list(selectors.place_products(place=province, sort="sales")),
        "village products": lambda: list(selectors.place_products(place=village, sort="newest")),
    }


def test_villages_without_shops_elsewhere_cost_nothing(village):
    """Villages of another province (安徽) leave the home, county, province and village
    queries as cheap as they were."""
    before = {name: vm_steps(run) for name, run in page_queries(village).items()}
    add_empty_villages(PlaceFactory(code="340100001001").parent)
    after = {name: vm_steps(run) for name, run in page_queries(village).items()}
    for name in before:
        assert after[name] <= before[name] * 2 + 5, name


def test_villages_of_a_neighbouring_county_do_not_slow_a_county_page(village):
    county = village.parent.parent
    before = vm_steps(lambda: list(selectors.villages_ranked(place=county)))
    add_empty_villages(PlaceFactory(code="320325104001").parent)  # 睢宁's neighbour, 320325
    after = vm_steps(lambda: list(selectors.villages_ranked(place=county)))
    assert after <= before * 2 + 5


def test_the_ranking_still_sees_shops_among_thousands_of_empty_villages(village):
    add_empty_villages(village.parent)
    county = village.parent.parent
    assert [(v, v.shop_count) for v in selectors.villages_ranked(place=county)] == [(village, 2)]
    assert [(v, v.shop_count) for v in selectors.featured_villages()] == [(village, 2)]
